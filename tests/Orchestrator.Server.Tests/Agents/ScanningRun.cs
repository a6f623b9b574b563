using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// A run that scans its members one at a time: agents enrolled with the tag "floor-3" (addresses 198.18.0.11 on), a
/// group of them, a window with scans (maxConcurrency 1, no cutoff) and an ad-hoc run of it. Each next scan is handed out
/// only by the run's dispatch job, so a test sees whether that job is alive.
/// </summary>
internal sealed record ScanningRun(long RunId, IReadOnlyList<(EnrollResponseV1 Credential, string Address)> Credentials)
{
    public static async Task<ScanningRun> StartAsync(HttpClient admin, int members, string windowName, string duration)
    {
        var token = (string)(await admin.CreateAsync("/api/v1/enrollment-tokens", new { name = "site", expiresIn = "PT1H", tags = new[] { "floor-3" } }))["token"]!;
        var credentials = new List<(EnrollResponseV1, string)>();
        for (var i = 1; i <= members; i++)
        {
            var agent = await TestAgent.EnrollAsync(admin, token, $"pc-{i}", $"198.18.0.{10 + i}", "floor-3");
            credentials.Add((agent.Credential, agent.Address));
        }

        await admin.CreateAsync("/api/v1/groups", new { name = "floor-3", tags = new[] { "floor-3" } });
        var window = await admin.CreateAsync("/api/v1/windows", new
        {
            name = windowName,
            cron = "0 0 3 1 1 ?",
            timeZone = "Etc/UTC",
            duration = "PT1H",
            cutoff = "PT0S",
            groups = new[] { "floor-3" },
            scan = new { enabled = true, maxConcurrency = 1 },
        });
        var runId = (long)(await admin.CreateAsync($"/api/v1/windows/{(long)window["id"]!}/runs", new { duration }))["id"]!;
        return new ScanningRun(runId, credentials);
    }

    /// <summary>The members' agents, speaking to <paramref name="server"/>.</summary>
    public List<TestAgent> AgentsOn(HttpClient server) => Credentials.Select(c => new TestAgent(server, c.Credential, c.Address)).ToList();

    /// <summary>The one scan the members hold between them (maxConcurrency 1), once handed out.</summary>
    public static async Task<(TestAgent Agent, ScanRequestV1 Scan)> OneHeldScanAsync(IReadOnlyList<TestAgent> agents)
    {
        var held = await ApiClient.EventuallyAsync(
            async () =>
            {
                var scans = new List<(TestAgent, ScanRequestV1)>();
                foreach (var agent in agents)
                {
                    scans.AddRange((await agent.StateAsync()).Scans.Select(s => (agent, s)));
                }

                return scans;
            },
            scans => scans.Count == 1,
            TimeSpan.FromSeconds(20),
            "one scan held (maxConcurrency 1)");
        return held[0];
    }

    /// <summary>The member that holds the scan reports it done.</summary>
    public static Task FinishAsync((TestAgent Agent, ScanRequestV1 Scan) held) =>
        held.Agent.ReportAsync(new(Guid.NewGuid().ToString("N"), null, null, [new(held.Scan.ScanId, "Succeeded", 0, 100)], [], []));

    /// <summary>Reports the held scan done and returns the next one, which must go to another member.</summary>
    public static async Task<(TestAgent Agent, ScanRequestV1 Scan)> FinishAndGetNextAsync(IReadOnlyList<TestAgent> agents, (TestAgent Agent, ScanRequestV1 Scan) held)
    {
        await FinishAsync(held);
        var next = await OneHeldScanAsync(agents);
        Assert.NotEqual(held.Agent.Address, next.Agent.Address);
        return next;
    }
}
