using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

public sealed class ScanDispatchTests
{
    [Fact]
    public async Task ScansGoOutInWavesThatRespectMaxConcurrency()
    {
        await using var site = await AgentSite.StartAsync(4);
        var runId = await site.StartRunAsync(await site.WindowAsync(new { enabled = true, maxConcurrency = 2 }));
        await site.WaitRunStateAsync(runId, "Open");

        var first = await ScansHeldAsync(site, expected: 2);
        Assert.Equal(2, first.Count);
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        Assert.Equal(2, (await ScansHeldAsync(site, expected: 2)).Count);

        foreach (var (agent, scan) in first)
        {
            await agent.ReportAsync(new(Guid.NewGuid().ToString("N"), null, null, [new(scan.ScanId, "Succeeded", 0, 1200)], [], []));
        }

        var second = await ScansHeldAsync(site, expected: 2);
        Assert.Empty(second.Select(s => s.Agent).Intersect(first.Select(f => f.Agent)));
        var tables = new ProductTables(site.Factory.DataDirectory);
        Assert.Equal(2, await tables.CountAsync("scans", "outcome = 'Succeeded' AND duration_ms = 1200"));
    }

    [Fact]
    public async Task DispatchStopsOnceFailuresExceedMaxErrorsWhereZeroMeansTheFirstFailure()
    {
        await using var site = await AgentSite.StartAsync(4);
        var runId = await site.StartRunAsync(await site.WindowAsync(new { enabled = true, maxConcurrency = 1, maxErrors = 0 }));
        await site.WaitRunStateAsync(runId, "Open");

        var (agent, scan) = Assert.Single(await ScansHeldAsync(site, expected: 1));
        await agent.ReportAsync(new(Guid.NewGuid().ToString("N"), null, null, [new(scan.ScanId, "Failed", 1, 300)], [], []));
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

        var tables = new ProductTables(site.Factory.DataDirectory);
        Assert.Equal(1, await tables.CountAsync("scans"));
        Assert.Equal(1, await tables.CountAsync("audit_log", "action = 'scan dispatch stopped'"));
    }

    [Fact]
    public async Task NoScanIsDispatchedAfterTheCutoff()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync(new { enabled = true, maxConcurrency = "100%" }, cutoff: "PT1H"), "PT1M");
        await site.WaitRunStateAsync(runId, "Cutoff");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        Assert.Equal(0, await new ProductTables(site.Factory.DataDirectory).CountAsync("scans"));
    }

    /// <summary>Regression: a member without an agent was sent a scan that could only time out, counting as a failure
    /// against maxErrors and showing as "running" for 15 minutes.</summary>
    [Fact]
    public async Task AMemberWithoutAnAgentIsNeverSentAScan()
    {
        await using var site = await AgentSite.StartAsync(1);
        using var registered = await site.Client.PostAsync(
            new Uri("/api/v1/endpoints", UriKind.Relative),
            new StringContent("""{"hostname":"no-agent.example","addresses":["198.18.0.200"],"os":"windows","tags":["floor-3"]}""", System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var runId = await site.StartRunAsync(await site.WindowAsync(new { enabled = true, maxConcurrency = "100%" }));
        await site.WaitRunStateAsync(runId, "Open");

        Assert.Single(await ScansHeldAsync(site, expected: 1));
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        var tables = new ProductTables(site.Factory.DataDirectory);
        Assert.Equal(2, await tables.CountAsync("run_members", $"run_id = {runId}"));
        Assert.Equal(1, await tables.CountAsync("scans"));
        Assert.Equal(0, await tables.CountAsync("scans", "endpoint_id = (SELECT id FROM endpoints WHERE hostname = 'no-agent.example')"));
    }

    private static async Task<List<(TestAgent Agent, ScanRequestV1 Scan)>> ScansHeldAsync(AgentSite site, int expected) =>
        await ApiClient.EventuallyAsync(
            async () =>
            {
                var held = new List<(TestAgent, ScanRequestV1)>();
                foreach (var agent in site.Agents)
                {
                    held.AddRange((await agent.StateAsync()).Scans.Select(s => (agent, s)));
                }

                return held;
            },
            held => held.Count >= expected,
            TimeSpan.FromSeconds(15),
            $"{expected} scans held by agents");
}
