using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>Delivery Optimization statistics posted by test agents through protocol v1 over real HTTP show in the run
/// report's JSON, CSV and Markdown, labelled with their source, with the two anomalies only they can show.</summary>
public sealed class DeliveryOptimizationReportTests(DeliveryOptimizationSiteFixture site) : IClassFixture<DeliveryOptimizationSiteFixture>
{
    private const long MiB = DeliveryOptimizationScenario.MiB;

    private long RunId => site.Scenario.RunId;

    private Task<JsonNode> ReportAsync() => site.Client.GetJsonAsync($"/api/v1/runs/{RunId}/report");

    private async Task<string> TextAsync(string path)
    {
        using var response = await site.Client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task EachMembersBytesComeFromItsSourceWithItsPeerShare()
    {
        var rows = (await ReportAsync())["endpoints"]!.AsArray().ToDictionary(r => (string)r!["hostname"]!, r => r!);

        Assert.Equal("Delivery Optimization", (string?)rows["w-2"]["bytesSource"]);
        Assert.Equal(40 * MiB, (long)rows["w-2"]["bytesReceived"]!);
        Assert.Equal(10 * MiB, (long)rows["w-2"]["bytesFromHttp"]!);
        Assert.Equal(0.8, (double)rows["w-2"]["peerShare"]!, 6);
        Assert.Equal(45 * MiB, (long)rows["w-1"]["bytesServed"]!);
        Assert.Equal(100 * MiB, (long)rows["w-1"]["bytesFromHttp"]!);
        Assert.Equal(0.0, (double)rows["w-1"]["peerShare"]!);
        Assert.Equal("firewall counters", (string?)rows["l-1"]["bytesSource"]);
        Assert.Equal(MiB, (long)rows["l-1"]["bytesReceived"]!);
        Assert.Null(rows["l-1"]["bytesFromHttp"]);
        Assert.Equal("not reported", (string?)rows["w-4"]["bytesSource"]);
    }

    [Fact]
    public async Task ARetriedReportAndStatisticsOutsideTheRunAreNotCounted()
    {
        var rows = (await ReportAsync())["endpoints"]!.AsArray().ToDictionary(r => (string)r!["hostname"]!, r => r!);

        Assert.Contains("\"duplicate\":true", site.Scenario.DuplicateAnswer, StringComparison.Ordinal);
        Assert.Equal(40 * MiB, (long)rows["w-2"]["bytesReceived"]!);
        // w-1 reported 999 MiB before the run opened: only the run's 100 MiB count.
        Assert.Equal(100 * MiB, (long)rows["w-1"]["bytesFromHttp"]!);
    }

    [Fact]
    public async Task TotalsAreGivenInAllAndPerSource()
    {
        var wan = (await ReportAsync())["keptOffTheWan"]!;
        var bySource = wan["bySource"]!.AsArray().ToDictionary(s => (string)s!["source"]!, s => s!);

        Assert.Equal(41 * MiB, (long)wan["bytesFromPeers"]!);
        Assert.Equal(160 * MiB, (long)wan["bytesFromHttp"]!);
        Assert.Equal(45 * MiB, (long)wan["bytesServed"]!);
        Assert.Equal(0.2, (double)wan["peerShare"]!, 6);
        Assert.Equal(3, (int)bySource["Delivery Optimization"]["endpoints"]!);
        Assert.Equal(40 * MiB, (long)bySource["Delivery Optimization"]["bytesFromPeers"]!);
        Assert.Equal(0.2, (double)bySource["Delivery Optimization"]["peerShare"]!, 6);
        Assert.Equal(MiB, (long)bySource["firewall counters"]["bytesFromPeers"]!);
        Assert.Null(bySource["firewall counters"]["bytesFromHttp"]);
        Assert.Equal(1, (int)bySource["not reported"]["endpoints"]!);
    }

    [Fact]
    public async Task WhoServedWhomOnWindowsMembersMarksAddressesOutsideTheRun()
    {
        var table = (await ReportAsync())["deliveryOptimization"]!;
        var rows = table["rows"]!.AsArray().Select(r => r!).ToList();

        Assert.Equal("Delivery Optimization", (string?)table["source"]);
        Assert.Equal(3, (long)table["total"]!);
        var w1ToW2 = rows.Single(r => (string?)r["hostname"] == "w-1" && (string?)r["peerHostname"] == "w-2");
        Assert.Equal(40 * MiB, (long)w1ToW2["bytesSent"]!);
        Assert.True((bool)w1ToW2["inRun"]!);
        var outside = rows.Single(r => (string?)r["peerAddress"] == DeliveryOptimizationScenario.Outsider);
        Assert.False((bool)outside["inRun"]!);
        Assert.Null(outside["peerHostname"]);
        Assert.Equal(5 * MiB, (long)outside["bytesSent"]!);
    }

    [Fact]
    public async Task ServingOutsideTheRunIsCriticalAndHttpOnlyWhilePeersServedIsAWarning()
    {
        var report = await ReportAsync();
        var anomalies = report["anomalies"]!.AsArray().ToDictionary(a => (string)a!["code"]!, a => a!);
        var rows = report["endpoints"]!.AsArray().ToDictionary(r => (string)r!["hostname"]!, r => r!);

        Assert.Equal("critical", (string?)anomalies["served-outside-run"]["severity"]);
        Assert.Equal(["w-1 → 198.18.5.5 5242880 bytes"], anomalies["served-outside-run"]["examples"]!.AsArray().Select(e => (string)e!));
        Assert.Equal("warning", (string?)anomalies["http-only-while-peers-had-content"]["severity"]);
        // w-1 downloaded over HTTP only too, but it served its peers: the seed, not a failure.
        Assert.Equal(["w-3"], anomalies["http-only-while-peers-had-content"]["examples"]!.AsArray().Select(e => (string)e!));
        Assert.Contains("served-outside-run", rows["w-1"]["problems"]!.AsArray().Select(p => (string)p!));
        Assert.Contains("http-only-while-peers-had-content", rows["w-3"]["problems"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task TheCsvCarriesEachMembersSourceAndPeerShare()
    {
        var lines = (await TextAsync($"/api/v1/runs/{RunId}/report.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var w2 = lines.Single(l => l.Contains(",w-2,", StringComparison.Ordinal)).Split(',');
        var l1 = lines.Single(l => l.Contains(",l-1,", StringComparison.Ordinal)).Split(',');

        Assert.Equal("Delivery Optimization", w2[Array.IndexOf(header, "bytes_source")]);
        Assert.Equal("0.8", w2[Array.IndexOf(header, "peer_share")]);
        Assert.Equal((10 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture), w2[Array.IndexOf(header, "bytes_from_http")]);
        Assert.Equal("firewall counters", l1[Array.IndexOf(header, "bytes_source")]);
        Assert.Equal("", l1[Array.IndexOf(header, "peer_share")]);
    }

    [Fact]
    public async Task TheMarkdownLabelsEachFigureWithItsSourceAndListsWhoServedWhom()
    {
        var md = await TextAsync($"/api/v1/runs/{RunId}/report?format=md");

        Assert.Contains("| Delivery Optimization | 3 | 40.0 MiB | 160.0 MiB | 20.0% | 45.0 MiB |", md, StringComparison.Ordinal);
        Assert.Contains("| firewall counters | 1 | 1.0 MiB | not reported | not reported | 0 B |", md, StringComparison.Ordinal);
        Assert.Contains("| w-2 | 40.0 MiB | 10.0 MiB | 80.0% | 0 B |", md, StringComparison.Ordinal);
        Assert.Contains("- w-1 → w-2: sent 40.0 MiB, received 0 B", md, StringComparison.Ordinal);
        Assert.Contains("- w-1 → 198.18.5.5, outside the run: sent 5.0 MiB", md, StringComparison.Ordinal);
        Assert.Contains("`served-outside-run`", md, StringComparison.Ordinal);
    }
}
