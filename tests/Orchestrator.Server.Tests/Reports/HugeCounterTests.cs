using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>
/// Regression: two reports with bytesServed = long.MaxValue made every report of their run and
/// window answer 500 for good (SQLite "integer overflow" in sum()). Implausible counters are refused; whatever is
/// already stored can no longer break a report.
/// </summary>
public sealed class HugeCounterTests
{
    [Theory]
    [InlineData("traffic[0].bytesServed", """{"peer":"198.18.0.12","bytesServed":9223372036854775807,"bytesReceived":0}""", "[]", "[]")]
    [InlineData("traffic[0].bytesReceived", """{"peer":"198.18.0.12","bytesServed":0,"bytesReceived":1099511627777}""", "[]", "[]")]
    [InlineData("blocked[0].count", "", """{"source":"198.18.0.99","port":7680,"count":9223372036854775807}""", "[]")]
    [InlineData("scans[0].durationMs", "", "", """{"scanId":"s1","outcome":"Succeeded","exitCode":0,"durationMs":9223372036854775807}""")]
    public async Task AnImplausibleCounterIsRefusedNamingTheFieldAndItsBound(string field, string traffic, string blocked, string scans)
    {
        await using var site = await AgentSite.StartAsync(2);
        var body = $$"""{"reportId":"huge","appliedVersion":null,"applyError":null,"scans":[{{Row(scans)}}],"traffic":[{{Row(traffic)}}],"blocked":[{{Row(blocked)}}]}""";

        using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", site.Agents[0].Authorization);
        using var response = await site.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (string?)problem["errors"]?[field]?[0];
        Assert.True(message is not null, $"errors should name {field}: {problem}");
        Assert.Contains("at most", message, StringComparison.Ordinal);

        static string Row(string row) => row is "" or "[]" ? "" : row;
    }

    [Fact]
    public async Task TwoReportsAtLongMaxValueNoLongerBreakTheRunsReports()
    {
        await using var site = await AgentSite.StartAsync(2);
        var windowId = await site.WindowAsync();
        var runId = await site.StartRunAsync(windowId, "PT10M");
        await site.WaitRunStateAsync(runId, "Open");
        var (a1, a2) = (site.Agents[0], site.Agents[1]);

        for (var i = 0; i < 2; i++)
        {
            var (status, _) = await a1.ReportAsync(new($"max-{i}", null, null, [], [new(a2.Address, long.MaxValue, long.MaxValue)], [new("198.18.0.99", 7680, long.MaxValue)]));
            Assert.Equal(HttpStatusCode.BadRequest, status);
        }

        await ReportRoutes.AllAnswer200Async(site.Client, runId, windowId);
    }

    [Fact]
    public async Task EveryReportRouteAnswersWhateverHugeValuesAreAlreadyStored()
    {
        await using var site = await AgentSite.StartAsync(2);
        var windowId = await site.WindowAsync();
        var runId = await site.StartRunAsync(windowId, "PT10M");
        await site.WaitRunStateAsync(runId, "Open");
        var (a1, a2) = (site.Agents[0], site.Agents[1]);
        Assert.Equal(HttpStatusCode.OK, (await a1.ReportAsync(new("small", null, null, [], [new(a2.Address, 1_000, 0)], []))).Status);

        // Written straight into the file, as an older server (or a hand edit) could have left them.
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(site.Factory.DataDirectory, "orchestrator.db"), Pooling = false }.ToString()))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText =
                """
                INSERT INTO peer_traffic (run_id, endpoint_id, peer_address, peer_endpoint_id, bytes_served, bytes_received, reported_at)
                SELECT $run, m.endpoint_id, $peer, NULL, 9223372036854775807, 9223372036854775807, 0 FROM run_members m, (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) WHERE m.run_id = $run;
                INSERT INTO peer_traffic (run_id, endpoint_id, peer_address, peer_endpoint_id, bytes_served, bytes_received, reported_at)
                SELECT $run, m.endpoint_id, '198.18.0.77', NULL, -9223372036854775808, -9223372036854775808, 0 FROM run_members m WHERE m.run_id = $run;
                INSERT INTO blocked_attempts (run_id, endpoint_id, source_address, source_endpoint_id, port, count, reported_at)
                SELECT $run, m.endpoint_id, '198.18.0.99', NULL, 7680, 9223372036854775807, 0 FROM run_members m, (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) WHERE m.run_id = $run;
                INSERT INTO blocked_attempts (run_id, endpoint_id, source_address, source_endpoint_id, port, count, reported_at)
                SELECT $run, m.endpoint_id, '198.18.0.98', NULL, 99999999999, 9223372036854775807, 0 FROM run_members m WHERE m.run_id = $run;
                INSERT INTO scans (id, run_id, endpoint_id, dispatched_at, timeout_seconds, outcome, exit_code, duration_ms, reported_at)
                SELECT 'huge-' || m.endpoint_id, $run, m.endpoint_id, 0, 9223372036854775807, 'Failed', 9223372036854775807, 9223372036854775807, 0
                FROM run_members m WHERE m.run_id = $run;
                """;
            command.Parameters.AddWithValue("$run", runId);
            command.Parameters.AddWithValue("$peer", a2.Address);
            Assert.True(await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken) > 0);
        }

        await ReportRoutes.AllAnswer200Async(site.Client, runId, windowId);

        // Sums saturate instead of wrapping: the served total shows the largest count, never a negative one.
        var report = await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/report");
        Assert.True((long)report["summary"]!["bytesServed"]! > 0, $"{report["summary"]}");

        // And the run still closes and reports after its close (the snapshot path).
        Assert.Equal(HttpStatusCode.Accepted, (await site.Client.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/close")).Status);
        await site.WaitRunStateAsync(runId, "Closed");
        await ReportRoutes.AllAnswer200Async(site.Client, runId, windowId);
    }
}
