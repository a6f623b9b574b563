using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server.Reports;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Reports;

public sealed class RunReportApiTests(ReportSiteFixture site) : IClassFixture<ReportSiteFixture>
{
    private long RunId => site.Scenario.RunId;

    private Task<JsonNode> ReportAsync(string query = "") => site.Client.GetJsonAsync($"/api/v1/runs/{RunId}/report{query}");

    private async Task<(HttpResponseMessage Response, string Body)> GetAsync(string path)
    {
        var response = await site.Client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        return (response, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static Dictionary<string, JsonNode> ByCode(JsonNode report) =>
        report["anomalies"]!.AsArray().ToDictionary(a => (string)a!["code"]!, a => a!);

    private static List<string> Examples(JsonNode anomaly) => anomaly["examples"]!.AsArray().Select(e => (string)e!).ToList();

    [Fact]
    public async Task AnomaliesNameTheEndpointsConcernedWorstFirst()
    {
        var report = await ReportAsync();
        var anomalies = ByCode(report);

        Assert.Equal("max-errors-reached", (string?)report["anomalies"]![0]!["code"]);
        Assert.Equal("critical", (string?)anomalies["max-errors-reached"]["severity"]);
        Assert.Equal(["pc-4", "pc-5"], Examples(anomalies["max-errors-reached"]));
        // pc-5 has no agent: nothing opened there, so it is not "closed by expiry" either.
        Assert.Equal(["pc-3", "pc-4"], Examples(anomalies["close-unconfirmed"]));
        Assert.Equal(["pc-4"], Examples(anomalies["open-never-acknowledged"]));
        Assert.Equal(["pc-5"], Examples(anomalies["no-agent"]));
        Assert.Equal(["pc-2"], Examples(anomalies["scan-failed"]));
        Assert.Contains("198.18.0.99 → pc-1 ×7", Examples(anomalies["blocked-outside-group"]));
        Assert.Contains("7 blocked attempts on port 7680 from 1 source outside the group", (string?)anomalies["blocked-outside-group"]["message"], StringComparison.Ordinal);
        Assert.Equal(["198.18.0.14 (pc-4) → pc-2 ×2"], Examples(anomalies["blocked-from-members"]));
        Assert.False(anomalies.ContainsKey("run-not-closed"));
        var severities = report["anomalies"]!.AsArray().Select(a => (string)a!["severity"]!).ToList();
        Assert.Equal(severities.OrderBy(s => s switch { "critical" => 0, "warning" => 1, _ => 2 }), severities);
    }

    [Fact]
    public async Task SummaryAndEndpointRowsCarryAcknowledgementsScansAndBytes()
    {
        var report = await ReportAsync();
        var summary = report["summary"]!;
        var rows = report["endpoints"]!.AsArray().ToDictionary(r => (string)r!["hostname"]!, r => r!);

        Assert.Equal(5, (int)summary["members"]!);
        Assert.Equal(3, (int)summary["openAcknowledged"]!);
        Assert.Equal(2, (int)summary["closeConfirmed"]!);
        Assert.Equal(2, (int)summary["closeUnconfirmed"]!);
        Assert.Equal(2, (int)summary["scansSucceeded"]!);
        Assert.Equal(1, (int)summary["scansFailed"]!);
        Assert.Equal(9, (long)summary["blockedAttempts"]!);
        Assert.Equal(7, (long)summary["blockedFromOutside"]!);
        Assert.NotNull(rows["pc-1"]["openAckMs"]);
        Assert.NotNull(rows["pc-1"]["closeAckMs"]);
        Assert.Equal("Confirmed", (string?)rows["pc-1"]["close"]);
        Assert.Equal("ClosedByExpiryUnconfirmed", (string?)rows["pc-3"]["close"]);
        Assert.Equal("Succeeded", (string?)rows["pc-1"]["scan"]);
        Assert.Equal(1_200, (long)rows["pc-1"]["scanDurationMs"]!);
        Assert.Equal("Failed", (string?)rows["pc-2"]["scan"]);
        Assert.Equal(1, (int)rows["pc-2"]["scanExitCode"]!);
        Assert.Equal("NoAgent", (string?)rows["pc-5"]["agent"]);
        Assert.Equal("NotOpened", (string?)rows["pc-5"]["close"]);
        Assert.Equal(ReportScenario.FiveMiB, (long)rows["pc-2"]["bytesReceived"]!);
        Assert.Null(rows["pc-2"]["bytesFromHttp"]);
        Assert.Contains("scan-failed", rows["pc-2"]["problems"]!.AsArray().Select(p => (string)p!));
        Assert.Empty(rows["pc-1"]["problems"]!.AsArray());
        Assert.Equal("pc-1", (string?)report["endpoints"]!.AsArray().Last()!["hostname"]);
    }

    [Fact]
    public async Task AgentReportsThatArriveAfterTheEndUpdateTheReport()
    {
        var before = site.Scenario.ReportBeforeLateData;
        var after = await ReportAsync();

        Assert.Equal(ReportScenario.FiveMiB + ReportScenario.OneMiB, (long)before["keptOffTheWan"]!["bytesFromPeers"]!);
        Assert.Equal(ReportScenario.FiveMiB + ReportScenario.OneMiB + ReportScenario.LateBytes, (long)after["keptOffTheWan"]!["bytesFromPeers"]!);
        Assert.Null(after["keptOffTheWan"]!["bytesFromHttp"]);
        Assert.Null(after["keptOffTheWan"]!["peerShare"]);
        var toPc3 = after["transfers"]!["transfers"]!.AsArray().Single(t => (string?)t!["receivingHostname"] == "pc-3")!;
        Assert.Equal(ReportScenario.OneMiB + ReportScenario.LateBytes, (long)toPc3["bytes"]!);
        Assert.Equal("pc-1", (string?)after["topServers"]![0]!["hostname"]);
    }

    [Fact]
    public async Task TransfersArePagedLargestFirstWithTheirTotal()
    {
        var first = (await ReportAsync("?transfersLimit=1"))["transfers"]!;
        var second = (await ReportAsync("?transfersLimit=1&transfersOffset=1"))["transfers"]!;

        Assert.Equal(2, (long)first["total"]!);
        Assert.Equal("pc-2", (string?)Assert.Single(first["transfers"]!.AsArray())!["receivingHostname"]);
        Assert.Equal("pc-3", (string?)Assert.Single(second["transfers"]!.AsArray())!["receivingHostname"]);
    }

    [Fact]
    public async Task BlockedAttemptsNameTheResolvedSourceEndpointWhenThereIsOne()
    {
        var blocked = (await ReportAsync())["blocked"]!.AsArray().ToDictionary(b => (string)b!["sourceAddress"]!, b => b!);

        Assert.Null(blocked[ReportScenario.Outsider]["sourceHostname"]);
        Assert.Equal("pc-1", (string?)blocked[ReportScenario.Outsider]["targetHostname"]);
        Assert.Equal(7, (long)blocked[ReportScenario.Outsider]["count"]!);
        Assert.Equal("pc-4", (string?)blocked["198.18.0.14"]["sourceHostname"]);
    }

    [Fact]
    public async Task TheTimelineHoldsThePlannedInstantsAndTheRunsAuditEntriesInOrder()
    {
        var timeline = (await ReportAsync())["timeline"]!.AsArray();
        var events = timeline.Select(e => (string)e!["event"]!).ToList();
        var times = timeline.Select(e => DateTimeOffset.Parse((string)e!["at"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.Equal(times.Order(), times);
        Assert.Contains("planned start", events);
        Assert.Contains("Opening → Open", events);
        Assert.Contains("scan dispatch stopped", events);
        Assert.Contains("Closing → Closed", events);
        Assert.Contains("first opening acknowledged", events);
    }

    [Fact]
    public async Task TheHtmlPageIsSelfContainedEncodedAndInTheIssuesOrder()
    {
        var (response, html) = await GetAsync($"/reports/runs/{RunId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        var links = System.Text.RegularExpressions.Regex.Matches(html, "https?://[^\"'\\s<]*").Select(m => m.Value).Distinct().ToList();
        Assert.Equal(["http://www.w3.org/2000/svg"], links);
        var order = new[] { "anomalies", "summary", "endpoints", "transfers", "wan", "blocked", "timeline", "jobs" }
            .Select(id => html.IndexOf($"<section id=\"{id}\"", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.Equal(2, html.Split("<svg").Length - 1);
        Assert.Contains("window “floor-3 patch”", html, StringComparison.Ordinal);
        Assert.Contains("8.0 MiB", html, StringComparison.Ordinal);
        Assert.Contains("not reported", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CsvHoldsEveryEndpointRowInRfc4180FromBothRoutes()
    {
        var (response, csv) = await GetAsync($"/api/v1/runs/{RunId}/report.csv");
        var (_, same) = await GetAsync($"/api/v1/runs/{RunId}/report?format=csv");

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(csv, same);
        var lines = csv.Split("\r\n");
        Assert.Equal("", lines[^1]);
        Assert.StartsWith("run_id,endpoint_id,hostname,address,agent,", lines[0], StringComparison.Ordinal);
        Assert.Equal(6, lines.Length - 1);
        Assert.Contains(lines, l => l.Contains(",pc-2,198.18.0.12,Online,", StringComparison.Ordinal) && l.Contains(",Failed,300,1,", StringComparison.Ordinal));
        Assert.DoesNotContain("\n", csv.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransfersCsvHoldsEveryPairLargestFirst()
    {
        var (_, csv) = await GetAsync($"/api/v1/runs/{RunId}/report/transfers.csv");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, lines.Length);
        Assert.EndsWith($",pc-2,{ReportScenario.FiveMiB}", lines[1], StringComparison.Ordinal);
        Assert.EndsWith($",pc-3,{ReportScenario.OneMiB + ReportScenario.LateBytes}", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkdownIsReadyToPasteIntoATicket()
    {
        var (response, md) = await GetAsync($"/api/v1/runs/{RunId}/report?format=md");

        Assert.Equal("text/markdown", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith($"### Run {RunId} · window “floor-3 patch” · Closed", md, StringComparison.Ordinal);
        Assert.Contains("- **CRITICAL** maxErrors reached", md, StringComparison.Ordinal);
        Assert.Contains("`open-never-acknowledged` — pc-4", md, StringComparison.Ordinal);
        Assert.Contains("| members | opening acked |", md, StringComparison.Ordinal);
        Assert.Contains($"/reports/runs/{RunId}", md, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheWindowPageListsItsRunsWithTheTrend()
    {
        var (response, html) = await GetAsync($"/reports/windows/{site.Scenario.WindowId}");
        var json = await site.Client.GetJsonAsync($"/api/v1/windows/{site.Scenario.WindowId}/report");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"href=\"/reports/runs/{RunId}\"", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        var run = Assert.Single(json["runs"]!.AsArray())!;
        Assert.Equal(RunId, (long)run["runId"]!);
        Assert.True((int)run["anomalies"]! >= 6);
        Assert.Equal(1, (int)run["critical"]!);
    }

    [Fact]
    public async Task TheSnapshotJobStoresTheFinalReportWhichTheApiServes()
    {
        var (missing, _) = await GetAsync($"/api/v1/runs/{RunId}/report?source=snapshot");
        var job = ActivatorUtilities.CreateInstance<RunReportSnapshotJob>(site.Factory.Services);

        await job.TakeAsync(RunId, ReportScenario.WindowName);
        var snapshot = await ReportAsync("?source=snapshot");
        var live = await ReportAsync();

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("snapshot", (string?)snapshot["source"]!["kind"]);
        Assert.Equal(ByCode(live).Keys.Order(), ByCode(snapshot).Keys.Order());
        Assert.NotNull(live["source"]!["snapshotTakenAt"]);
        var window = await site.Client.GetJsonAsync($"/api/v1/windows/{site.Scenario.WindowId}/report");
        Assert.Equal("snapshot", (string?)window["runs"]![0]!["source"]);
    }

    [Fact]
    public async Task TheReportLinksTheRunsHangfireJobsAndTheDashboardLinksToReports()
    {
        var jobs = (await ReportAsync())["jobs"]!.AsArray();
        var open = jobs.Single(j => (string?)j!["name"] == $"Open window \"{ReportScenario.WindowName}\" · run {RunId}")!;
        var (page, body) = await GetAsync((string)open["url"]!);
        var (dashboard, menu) = await GetAsync("/hangfire");
        var (index, runs) = await GetAsync("/reports");

        Assert.NotNull((string?)open["id"]);
        Assert.Contains(jobs, j => ((string)j!["name"]!).StartsWith("Close window", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains($"run {RunId}", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Run reports", menu, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains($"href=\"/reports/runs/{RunId}\"", runs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunListsBadgeTheRunWithItsWorstSeverityCritical()
    {
        var (_, index) = await GetAsync("/reports");
        var (_, home) = await GetAsync("/");

        foreach (var page in new[] { index, home })
        {
            var row = System.Text.RegularExpressions.Regex.Match(page, $"<tr data-run=\"{RunId}\">.*?</tr>").Value;
            Assert.Contains("<span class=\"badge critical\" data-severity=\"critical\">critical</span>", row, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheRunsJobsInTheDashboardLinkToItsReportAndTheReportListsThemInLifecycleOrder()
    {
        var jobs = (await ReportAsync())["jobs"]!.AsArray().Select(j => (string)j!["name"]!).ToList();
        var open = (await ReportAsync())["jobs"]!.AsArray().First(j => ((string)j!["name"]!).StartsWith("Open window", StringComparison.Ordinal))!;
        var (_, page) = await GetAsync((string)open["url"]!);

        Assert.Contains($"<a href=\"/hangfire/../reports/runs/{RunId}\">Run report: run {RunId}</a>", page, StringComparison.Ordinal);
        var stages = new[] { "Open window", "Close window", "Verify closed" }.Select(stage => jobs.FindIndex(j => j.StartsWith(stage, StringComparison.Ordinal))).ToList();
        Assert.DoesNotContain(-1, stages);
        Assert.Equal(stages.Order(), stages);
    }

    [Fact]
    public async Task TheReportPagesShowTimesInTheWindowsZoneAsWellAsUtc()
    {
        var run = WebUtility.HtmlDecode((await GetAsync($"/reports/runs/{RunId}")).Body);
        var window = WebUtility.HtmlDecode((await GetAsync($"/reports/windows/{site.Scenario.WindowId}")).Body);

        Assert.Contains("<dt>Time zone</dt><dd>Etc/UTC</dd>", run, StringComparison.Ordinal);
        Assert.Contains("data-zone=\"window\">", run, StringComparison.Ordinal);
        Assert.Contains("UTC+00:00 Etc/UTC", run, StringComparison.Ordinal);
        Assert.Contains("<th>Planned start (window time)</th>", window, StringComparison.Ordinal);
        Assert.Contains("UTC+00:00 Etc/UTC", window, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownRunIs404AndABadFormatIs400NamingTheField()
    {
        var (status, _) = await site.Client.SendAsync(HttpMethod.Get, "/api/v1/runs/999999/report");
        var (page, _) = await GetAsync("/reports/runs/999999");
        var (bad, problem) = await site.Client.SendAsync(HttpMethod.Get, $"/api/v1/runs/{RunId}/report?format=xlsx");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("accepted: json, csv, md", (string?)problem!["errors"]!["format"]![0], StringComparison.Ordinal);
    }
}
