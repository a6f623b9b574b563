using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>
/// One run with an anomaly of each common kind, seeded through the real ops API and agent protocol v1 over HTTP:
/// pc-1..pc-4 enrolled agents and pc-5 registered without one, all in group "floor-3"; scans with maxErrors 0.
/// pc-1 serves pc-2 (5 MiB) and pc-3 (1 MiB); pc-2's scan fails, so dispatching stops before pc-4 and pc-5; 198.18.0.99 (outside the
/// group) knocks on pc-1 seven times and pc-4 on pc-2 twice; pc-4 never acknowledges the opening; pc-3 and pc-4
/// never confirm the close. After the close, pc-1 and pc-3 report 2 MiB more (late data, within the grace).
/// Shared by the server tests and the browser test (linked into that project).
/// </summary>
public sealed class ReportScenario
{
    public const long FiveMiB = 5L * 1024 * 1024;
    public const long OneMiB = 1024 * 1024;
    public const long LateBytes = 2L * 1024 * 1024;
    public const string Outsider = "198.18.0.99";
    public const string WindowName = "floor-3 patch";

    private ReportScenario(long runId, long windowId, JsonNode before)
    {
        RunId = runId;
        WindowId = windowId;
        ReportBeforeLateData = before;
    }

    public long RunId { get; }

    public long WindowId { get; }

    /// <summary>The JSON report as it was right after the run closed, before the late reports arrived.</summary>
    public JsonNode ReportBeforeLateData { get; }

    public static async Task<ReportScenario> SeedAsync(HttpClient client)
    {
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "reports", expiresIn = "PT1H", tags = new[] { "floor-3" } }))["token"]!;
        var agents = new List<TestAgent>();
        for (var i = 1; i <= 4; i++)
        {
            agents.Add(await TestAgent.EnrollAsync(client, token, $"pc-{i}", $"198.18.0.{10 + i}", "floor-3"));
        }

        await client.CreateAsync("/api/v1/endpoints", new { hostname = "pc-5", addresses = new[] { "198.18.0.15" }, os = "windows", tags = new[] { "floor-3" } });
        await client.CreateAsync("/api/v1/groups", new { name = "floor-3", tags = new[] { "floor-3" } });
        var windowId = (long)(await client.CreateAsync("/api/v1/windows", new
        {
            name = WindowName,
            cron = "0 0 3 1 1 ?",
            timeZone = "Etc/UTC",
            duration = "PT1H",
            groups = new[] { "floor-3" },
            scan = new { enabled = true, maxConcurrency = 3, maxErrors = 0 },
        }))["id"]!;
        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT8S" }))["id"]!;
        var run = await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), $"run {runId} open");
        var (pc1, pc2, pc3, pc4) = (agents[0], agents[1], agents[2], agents[3]);

        // The first scan wave (3 at a time, hostname order) reaches pc-1..pc-3. Each applies the state holding its scan
        // (the version an acknowledgement must name); pc-4 never acknowledges anything.
        var scans = new Dictionary<TestAgent, ScanRequestV1>();
        foreach (var agent in new[] { pc1, pc2, pc3 })
        {
            var state = await ApiClient.EventuallyAsync(agent.StateAsync, s => s.Scans.Count > 0, TimeSpan.FromSeconds(15), "scan dispatched");
            scans[agent] = state.Scans[0];
            await agent.AcknowledgeAsync(state.Version);
        }

        // The failure first: the dispatcher's next wave then stops (maxErrors 0) and pc-4, pc-5 are never scanned.
        await pc2.ReportAsync(new("scan-2", null, null, [new(scans[pc2].ScanId, "Failed", 1, 300)], [new(pc1.Address, 0, FiveMiB)], [new(pc4.Address, 7680, 2)]));
        await pc1.ReportAsync(new("scan-1", null, null, [new(scans[pc1].ScanId, "Succeeded", 0, 1_200)],
            [new(pc2.Address, FiveMiB, 0), new(pc3.Address, OneMiB, 0)], [new(Outsider, 7680, 7)]));
        await pc3.ReportAsync(new("scan-3", null, null, [new(scans[pc3].ScanId, "Succeeded", 0, 900)], [new(pc1.Address, 0, OneMiB)], []));

        // At the planned end the desired state drops the opening; pc-1 and pc-2 confirm that, pc-3 and pc-4 stay silent.
        var plannedEnd = DateTimeOffset.Parse((string)run["plannedEnd"]!, System.Globalization.CultureInfo.InvariantCulture);
        var wait = plannedEnd - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, TestContext.Current.CancellationToken);
        }

        foreach (var agent in new[] { pc1, pc2 })
        {
            var closed = await ApiClient.EventuallyAsync(agent.StateAsync, s => s.Openings.Count == 0, TimeSpan.FromSeconds(10), "opening dropped");
            await agent.AcknowledgeAsync(closed.Version);
        }

        await ApiClient.EventuallyAsync(
            () => client.GetJsonAsync($"/api/v1/runs/{runId}"),
            d => d["members"]!.AsArray().Any(m => (string?)m!["closeState"] == "ClosedByExpiryUnconfirmed"),
            TimeSpan.FromSeconds(20),
            $"run {runId} closed and its close states settled");
        var before = await client.GetJsonAsync($"/api/v1/runs/{runId}/report");

        // Late data: the last counters arrive after the end, within LateReportGrace.
        await pc1.ReportAsync(new("late-1", null, null, [], [new(pc3.Address, LateBytes, 0)], []));
        await pc3.ReportAsync(new("late-3", null, null, [], [new(pc1.Address, 0, LateBytes)], []));
        return new ReportScenario(runId, windowId, before);
    }
}
