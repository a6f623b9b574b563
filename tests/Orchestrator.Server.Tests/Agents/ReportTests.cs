using System.Net;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

public sealed class ReportTests
{
    [Fact]
    public async Task TrafficAndBlockedAttemptsAreStoredPerRunWithPeersMappedToTheirEndpoints()
    {
        await using var site = await AgentSite.StartAsync(3);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var (a1, a2, a3) = (site.Agents[0], site.Agents[1], site.Agents[2]);

        await a1.ReportAsync(new("r-1", null, null, [], [new(a2.Address, 4_000_000, 0), new(a3.Address, 1_000, 0)], [new("198.18.0.99", 7680, 7)]));
        await a1.ReportAsync(new("r-2", null, null, [], [new(a2.Address, 500, 0)], []));
        await a2.ReportAsync(new("r-1", null, null, [], [new(a1.Address, 0, 4_000_500)], [new(a3.Address, 7680, 2)]));

        var traffic = await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/traffic");
        var transfers = traffic["transfers"]!.AsArray();
        var top = transfers[0]!;
        Assert.Equal("pc-1", (string?)top["servingHostname"]);
        Assert.Equal("pc-2", (string?)top["receivingHostname"]);
        Assert.Equal(4_000_500, (long)top["bytes"]!);
        Assert.Equal(2, transfers.Count);
        var blocked = traffic["blocked"]!.AsArray().ToDictionary(b => (string)b!["sourceAddress"]!);
        Assert.Equal(7, (long)blocked["198.18.0.99"]!["count"]!);
        Assert.Null(blocked["198.18.0.99"]!["sourceHostname"]);
        Assert.Equal("pc-3", (string?)blocked[a3.Address]!["sourceHostname"]);
        Assert.Equal("pc-2", (string?)blocked[a3.Address]!["targetHostname"]);
    }

    [Fact]
    public async Task ARunWithoutTrafficHasAnEmptyTrafficReport()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync());

        var traffic = await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/traffic");

        Assert.Empty(traffic["transfers"]!.AsArray());
        Assert.Empty(traffic["blocked"]!.AsArray());
    }

    [Fact]
    public async Task ARetriedReportIsAcknowledgedButStoredOnce()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var report = new AgentReportV1("same-id", null, null, [], [new(site.Agents[1].Address, 100, 0)], []);

        var first = await site.Agents[0].ReportAsync(report);
        var second = await site.Agents[0].ReportAsync(report);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Contains("\"duplicate\":false", first.Body, StringComparison.Ordinal);
        Assert.Contains("\"duplicate\":true", second.Body, StringComparison.Ordinal);
        Assert.Equal(1, await new ProductTables(site.Factory.DataDirectory).CountAsync("peer_traffic"));
    }

    [Fact]
    public async Task TrafficOutsideAnyRunIsKeptWithoutARunAndNeverCountsForOne()
    {
        await using var site = await AgentSite.StartAsync(2);
        await site.Agents[0].ReportAsync(new("early", null, null, [], [new(site.Agents[1].Address, 100, 0)], [new("198.18.0.99", 7680, 1)]));

        var tables = new ProductTables(site.Factory.DataDirectory);
        Assert.Equal(1, await tables.CountAsync("peer_traffic", "run_id IS NULL"));
        Assert.Equal(1, await tables.CountAsync("blocked_attempts", "run_id IS NULL"));
    }

    [Fact]
    public async Task BlockedAttemptsReportedAfterTheMemberConfirmedTheCloseDoNotCountForTheRun()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync(), "PT5S");
        await site.WaitRunStateAsync(runId, "Open");
        var agent = site.Agents[0];
        await agent.ReportAsync(new("during", null, null, [], [], [new("198.18.0.99", 7680, 4)]));
        await site.WaitRunStateAsync(runId, "Closed");

        var closed = await agent.StateAsync();
        await agent.ReportAsync(new("with-close-ack", closed.Version, null, [], [], [new("198.18.0.99", 7680, 1)]));
        await agent.ReportAsync(new("after", null, null, [], [], [new("198.18.0.99", 7680, 6)]));

        var blocked = (await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/traffic"))["blocked"]!.AsArray();
        Assert.Equal(5, (long)Assert.Single(blocked)!["count"]!);
        Assert.Equal(1, await new ProductTables(site.Factory.DataDirectory).CountAsync("blocked_attempts", "run_id IS NULL AND count = 6"));
    }

    public static TheoryData<string, string> BadReports => new()
    {
        { """{"reportId":"","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[]}""", "reportId" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[{"peer":"10.0.0.0/8","bytesServed":1,"bytesReceived":1}],"blocked":[]}""", "traffic[0].peer" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[{"peer":"198.18.0.1","bytesServed":-1,"bytesReceived":1}],"blocked":[]}""", "traffic[0].bytesServed" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[{"source":"198.18.0.1","port":0,"count":1}]}""", "blocked[0].port" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[{"scanId":"s","outcome":"Maybe","exitCode":0,"durationMs":1}],"traffic":[],"blocked":[]}""", "scans[0].outcome" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":null,"blocked":[]}""", "traffic" },
        { """{"reportId":"r","appliedVersion":-5,"applyError":null,"scans":[],"traffic":[],"blocked":[]}""", "appliedVersion" },
        // Addresses no peer can have: a zone id, loopback, an IPv4-mapped form; a blocked source with a zone id.
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[{"peer":"fe80::1%eth0","bytesServed":1,"bytesReceived":1}],"blocked":[]}""", "traffic[0].peer" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[{"peer":"127.0.0.1","bytesServed":1,"bytesReceived":1}],"blocked":[]}""", "traffic[0].peer" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[{"peer":"::ffff:198.18.0.1","bytesServed":1,"bytesReceived":1}],"blocked":[]}""", "traffic[0].peer" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[{"source":"fe80::9%2","port":7680,"count":1}]}""", "blocked[0].source" },
        // Counters past their bounds: 2^40 + 1 bytes, long.MaxValue attempts, a scan of more than 24 h.
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[{"peer":"198.18.0.1","bytesServed":1099511627777,"bytesReceived":1}],"blocked":[]}""", "traffic[0].bytesServed" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[{"peer":"198.18.0.1","bytesServed":1,"bytesReceived":9223372036854775807}],"blocked":[]}""", "traffic[0].bytesReceived" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[{"source":"198.18.0.1","port":7680,"count":9223372036854775807}]}""", "blocked[0].count" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[{"scanId":"s","outcome":"Succeeded","exitCode":0,"durationMs":86400001}],"traffic":[],"blocked":[]}""", "scans[0].durationMs" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"repairs":[{"finding":"","openingsRestored":0}]}""", "repairs[0].finding" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"repairs":[{"finding":"table\nremoved","openingsRestored":0}]}""", "repairs[0].finding" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"repairs":[{"finding":"table removed","openingsRestored":-1}]}""", "repairs[0].openingsRestored" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"repairs":[null]}""", "repairs[0]" },
        { "{\"reportId\":\"r\",\"appliedVersion\":null,\"applyError\":null,\"scans\":[],\"traffic\":[],\"blocked\":[],\"repairs\":[" +
            string.Join(",", Enumerable.Repeat("{\"finding\":\"x\",\"openingsRestored\":0}", 21)) + "]}", "repairs" },
        // Delivery Optimization statistics: the same counter bounds and peer address rule, the field named.
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"deliveryOptimization":{"bytesFromHttp":-1,"bytesFromPeers":0,"bytesFromLanPeers":0,"bytesFromGroupPeers":0,"bytesFromInternetPeers":0,"bytesFromCacheServer":0,"bytesToLanPeers":0,"bytesToGroupPeers":0,"bytesToInternetPeers":0,"peers":[]}}""", "deliveryOptimization.bytesFromHttp" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"deliveryOptimization":{"bytesFromHttp":0,"bytesFromPeers":0,"bytesFromLanPeers":0,"bytesFromGroupPeers":0,"bytesFromInternetPeers":0,"bytesFromCacheServer":0,"bytesToLanPeers":1099511627777,"bytesToGroupPeers":0,"bytesToInternetPeers":0,"peers":[]}}""", "deliveryOptimization.bytesToLanPeers" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"deliveryOptimization":{"bytesFromHttp":0,"bytesFromPeers":0,"bytesFromLanPeers":0,"bytesFromGroupPeers":0,"bytesFromInternetPeers":0,"bytesFromCacheServer":0,"bytesToLanPeers":0,"bytesToGroupPeers":0,"bytesToInternetPeers":0,"peers":[{"peer":"127.0.0.1","bytesServed":1,"bytesReceived":1}]}}""", "deliveryOptimization.peers[0].peer" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"deliveryOptimization":{"bytesFromHttp":0,"bytesFromPeers":0,"bytesFromLanPeers":0,"bytesFromGroupPeers":0,"bytesFromInternetPeers":0,"bytesFromCacheServer":0,"bytesToLanPeers":0,"bytesToGroupPeers":0,"bytesToInternetPeers":0,"peers":[{"peer":"fe80::1%eth0","bytesServed":1,"bytesReceived":1}]}}""", "deliveryOptimization.peers[0].peer" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"deliveryOptimization":{"bytesFromHttp":0,"bytesFromPeers":0,"bytesFromLanPeers":0,"bytesFromGroupPeers":0,"bytesFromInternetPeers":0,"bytesFromCacheServer":0,"bytesToLanPeers":0,"bytesToGroupPeers":0,"bytesToInternetPeers":0,"peers":[{"peer":"198.18.0.1","bytesServed":-1,"bytesReceived":1}]}}""", "deliveryOptimization.peers[0].bytesServed" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"deliveryOptimization":{"bytesFromHttp":0,"bytesFromPeers":0,"bytesFromLanPeers":0,"bytesFromGroupPeers":0,"bytesFromInternetPeers":0,"bytesFromCacheServer":0,"bytesToLanPeers":0,"bytesToGroupPeers":0,"bytesToInternetPeers":0,"peers":[{"peer":"198.18.0.1","bytesServed":1,"bytesReceived":9223372036854775807}]}}""", "deliveryOptimization.peers[0].bytesReceived" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"deliveryOptimization":{"bytesFromHttp":0,"bytesFromPeers":0,"bytesFromLanPeers":0,"bytesFromGroupPeers":0,"bytesFromInternetPeers":0,"bytesFromCacheServer":0,"bytesToLanPeers":0,"bytesToGroupPeers":0,"bytesToInternetPeers":0,"peers":null}}""", "deliveryOptimization.peers" },
        { """{"reportId":"r","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[],"deliveryOptimization":{"bytesFromHttp":0,"bytesFromPeers":0,"bytesFromLanPeers":0,"bytesFromGroupPeers":0,"bytesFromInternetPeers":0,"bytesFromCacheServer":0,"bytesToLanPeers":0,"bytesToGroupPeers":0,"bytesToInternetPeers":0,"peers":[null]}}""", "deliveryOptimization.peers[0]" },
    };

    [Theory]
    [MemberData(nameof(BadReports))]
    public async Task AnInvalidReportIsRefusedWithTheFieldNamedAndStoresNothing(string body, string field)
    {
        await using var site = await AgentSite.StartAsync(1);
        var tables = new ProductTables(site.Factory.DataDirectory);
        var before = await tables.SnapshotAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", site.Agents[0].Authorization);
        using var response = await site.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"errors name {field}: {problem}");
        Assert.Equal(before, await tables.SnapshotAsync());
    }
}
