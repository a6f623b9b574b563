using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>
/// One open run of group "do-floor" seeded through the real ops API and agent protocol v1 over HTTP, with Windows
/// members reporting Delivery Optimization statistics: w-1 (the seed) downloads 100 MiB over HTTP and serves 40 MiB to
/// w-2 and 5 MiB to <see cref="Outsider"/> (outside the run: critical); w-2 gets 40 MiB from w-1 and 10 MiB over HTTP
/// (sent twice under one report id: counted once); w-3 downloads 50 MiB over HTTP only while w-1 served (warning); w-4
/// is Windows and reports nothing; l-1 is Linux and counts 1 MiB from w-1 with its firewall counters. Before the run,
/// w-1 reports statistics that belong to no run (not kept). Shared by the server tests and the browser test.
/// </summary>
public sealed class DeliveryOptimizationScenario
{
    public const long MiB = 1024 * 1024;
    public const string Outsider = "198.18.5.5";
    public const string GroupName = "do-floor";

    private DeliveryOptimizationScenario(long runId, long windowId, long groupId, string duplicateAnswer)
    {
        RunId = runId;
        WindowId = windowId;
        GroupId = groupId;
        DuplicateAnswer = duplicateAnswer;
    }

    public long RunId { get; }

    public long WindowId { get; }

    public long GroupId { get; }

    /// <summary>The server's answer to w-2's retried report.</summary>
    public string DuplicateAnswer { get; }

    public static async Task<DeliveryOptimizationScenario> SeedAsync(HttpClient client)
    {
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "do", expiresIn = "PT1H", tags = new[] { GroupName } }))["token"]!;
        var w1 = await TestAgent.EnrollAsOsAsync(client, token, "w-1", "198.18.21.11", "windows", GroupName);
        var w2 = await TestAgent.EnrollAsOsAsync(client, token, "w-2", "198.18.21.12", "windows", GroupName);
        var w3 = await TestAgent.EnrollAsOsAsync(client, token, "w-3", "198.18.21.13", "windows", GroupName);
        await TestAgent.EnrollAsOsAsync(client, token, "w-4", "198.18.21.15", "windows", GroupName);
        var l1 = await TestAgent.EnrollAsync(client, token, "l-1", "198.18.21.14", GroupName);
        var groupId = (long)(await client.CreateAsync("/api/v1/groups", new { name = GroupName, tags = new[] { GroupName } }))["id"]!;
        var windowId = (long)(await client.CreateAsync("/api/v1/windows", new
        {
            name = "do patch",
            cron = "0 0 3 1 1 ?",
            timeZone = "Etc/UTC",
            duration = "PT1H",
            groups = new[] { GroupName },
        }))["id"]!;

        // Before any run: statistics outside runs count for nothing.
        await Accepted(w1.ReportAsync(Report("w1-before", Stats(http: 999 * MiB, toLan: 999 * MiB, peers: [new(w2.Address, 999 * MiB, 0)]))));

        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT1H" }))["id"]!;
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), $"run {runId} open");

        await Accepted(w1.ReportAsync(Report("w1-a", Stats(http: 100 * MiB, toLan: 45 * MiB, peers: [new(w2.Address, 40 * MiB, 0), new(Outsider, 5 * MiB, 0)]))));
        var w2Report = Report("w2-a", Stats(http: 10 * MiB, fromLan: 40 * MiB, peers: [new(w1.Address, 0, 40 * MiB)]));
        await Accepted(w2.ReportAsync(w2Report));
        var (_, duplicate) = await w2.ReportAsync(w2Report);
        await Accepted(w3.ReportAsync(Report("w3-a", Stats(http: 50 * MiB))));
        await Accepted(l1.ReportAsync(new AgentReportV1("l1-a", null, null, [], [new(w1.Address, 0, MiB)], [])));
        return new DeliveryOptimizationScenario(runId, windowId, groupId, duplicate);
    }

    private static AgentReportV1 Report(string id, DeliveryOptimizationStatsV1 stats) => new(id, null, null, [], [], [], null, stats);

    private static DeliveryOptimizationStatsV1 Stats(long http = 0, long fromLan = 0, long toLan = 0, IReadOnlyList<PeerTrafficV1>? peers = null) =>
        new(http, fromLan, fromLan, 0, 0, 0, toLan, 0, 0, peers ?? []);

    private static async Task Accepted(Task<(HttpStatusCode Status, string Body)> send)
    {
        var (status, body) = await send;
        Assert.True(status == HttpStatusCode.OK, $"report refused: {(int)status} {body}");
    }
}
