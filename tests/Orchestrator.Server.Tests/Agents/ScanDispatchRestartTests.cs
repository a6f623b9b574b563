using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>The run's one dispatch job survives a SIGKILL of the server: after the restart the waves go on.</summary>
public sealed class ScanDispatchRestartTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "orchestrator-dispatch-restart", Guid.NewGuid().ToString("N"));

    private static readonly Dictionary<string, string> Settings = new(ServerSettings.ShortWindows, StringComparer.Ordinal)
    {
        ["Orchestrator__ScanWaveInterval"] = "00:00:01",
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    /// <summary>A killed server leaves the running dispatch job "Processing" in Hangfire's SQLite storage, which hands it
    /// out again only after its 30-minute invisibility timeout: start-up requeues it, so scanning goes on at once.</summary>
    [Fact]
    public async Task ScansGoOnAfterTheServerIsKilledInTheMiddleOfARunsDispatch()
    {
        var credentials = new List<(EnrollResponseV1 Credential, string Address)>();
        long runId;
        await using (var first = await ServerProcess.StartAsync(_data, Settings))
        {
            var token = (string)(await first.Client.CreateAsync("/api/v1/enrollment-tokens", new { name = "site", expiresIn = "PT1H", tags = new[] { "floor-3" } }))["token"]!;
            var agents = new List<TestAgent>();
            for (var i = 1; i <= 3; i++)
            {
                agents.Add(await TestAgent.EnrollAsync(first.Client, token, $"pc-{i}", $"198.18.0.{10 + i}", "floor-3"));
            }

            credentials.AddRange(agents.Select(a => (a.Credential, a.Address)));
            await first.Client.CreateAsync("/api/v1/groups", new { name = "floor-3", tags = new[] { "floor-3" } });
            var window = await first.Client.CreateAsync("/api/v1/windows", new
            {
                name = "restart-scans",
                cron = "0 0 3 1 1 ?",
                timeZone = "Etc/UTC",
                duration = "PT1H",
                cutoff = "PT0S",
                groups = new[] { "floor-3" },
                scan = new { enabled = true, maxConcurrency = 1 },
            });
            runId = (long)(await first.Client.CreateAsync($"/api/v1/windows/{(long)window["id"]!}/runs", new { duration = "PT2M" }))["id"]!;

            var (agent, scan) = await OneHeldScanAsync(agents);
            await agent.ReportAsync(new(Guid.NewGuid().ToString("N"), null, null, [new(scan.ScanId, "Succeeded", 0, 100)], [], []));
            await OneHeldScanAsync(agents);
            first.KillHard();
        }

        await using var second = await ServerProcess.StartAsync(_data, Settings);
        var again = credentials.Select(c => new TestAgent(second.Client, c.Credential, c.Address)).ToList();
        Assert.Equal("Open", (string?)(await Seed.RunAsync(second.Client, runId))["state"]);

        // The scan held at the kill is reported now; the third member's scan must follow within a few waves.
        var (held, heldScan) = await OneHeldScanAsync(again);
        await held.ReportAsync(new(Guid.NewGuid().ToString("N"), null, null, [new(heldScan.ScanId, "Succeeded", 0, 100)], [], []));
        var (last, lastScan) = await OneHeldScanAsync(again);
        await last.ReportAsync(new(Guid.NewGuid().ToString("N"), null, null, [new(lastScan.ScanId, "Succeeded", 0, 100)], [], []));

        var tables = new Api.ProductTables(_data);
        Assert.Equal(3, await tables.CountAsync("scans", $"run_id = {runId} AND outcome = 'Succeeded'"));
    }

    private static async Task<(TestAgent Agent, ScanRequestV1 Scan)> OneHeldScanAsync(IReadOnlyList<TestAgent> agents)
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
}
