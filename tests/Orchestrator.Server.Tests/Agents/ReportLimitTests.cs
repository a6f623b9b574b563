using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>Regression: the limits the docs state for agent reports hold.</summary>
public sealed class ReportLimitTests
{
    [Fact]
    public async Task AReportOver256KiBIsRefusedWith413AndAProblemBody()
    {
        // Over Kestrel: the in-memory test server applies no body size limit at all.
        await using var factory = new OrchestratorFactory();
        factory.UseKestrel(0);
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "limit" }))["token"]!;
        var agent = await TestAgent.EnrollAsync(client, token, "pc-1", "198.18.0.11");
        var tables = new ProductTables(factory.DataDirectory);
        var before = await tables.SnapshotAsync();

        // A well-formed report of about 280 KB: 2,000 traffic and 2,000 blocked rows (the row limits) with long IPv6 addresses.
        var traffic = Enumerable.Range(0, AgentProtocolV1.MaxRowsPerReport).Select(i => new PeerTrafficV1($"2001:db8:1234:5678:9abc:def0:{i / 65536:x}:{i % 65536:x}", 1, 1)).ToList();
        var blocked = Enumerable.Range(0, AgentProtocolV1.MaxRowsPerReport).Select(i => new BlockedAttemptV1($"2001:db8:1234:5678:9abc:def0:{i / 65536:x}:{i % 65536:x}", 7680, 1)).ToList();
        var body = JsonSerializer.SerializeToUtf8Bytes(new AgentReportV1("big", null, null, [], traffic, blocked), JsonSerializerOptions.Web);
        Assert.InRange(body.Length, 270_000, 300_000);

        using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", agent.Authorization);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}: {text}");
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(413, (int?)problem["status"]);
        Assert.True(((string?)problem["detail"])?.Contains(AgentProtocolV1.MaxReportBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) == true, $"the problem states the limit: {text}");
        Assert.Equal(before, await tables.SnapshotAsync());

        // Just under the limit is still accepted: the limit is the report's, not a smaller one.
        var fits = JsonSerializer.SerializeToUtf8Bytes(new AgentReportV1("fits", null, null, [], traffic.Take(1_500).ToList(), []), JsonSerializerOptions.Web);
        Assert.True(fits.Length < AgentProtocolV1.MaxReportBytes);
        using var small = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath) { Content = new ByteArrayContent(fits) };
        small.Content.Headers.ContentType = new("application/json");
        small.Headers.TryAddWithoutValidation("Authorization", agent.Authorization);
        using var accepted = await client.SendAsync(small, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task TrafficOutsideAnyRunIsKeptOnlyUpToItsCapPerEndpoint()
    {
        await using var site = await AgentSite.StartAsync(2);
        var tables = new ProductTables(site.Factory.DataDirectory);
        var agent = site.Agents[0];

        // Three reports of 1,500 rows each, no run open: 4,500 rows of each kind were stored before.
        for (var i = 0; i < 3; i++)
        {
            var rows = Enumerable.Range(0, 1_500).Select(j => $"198.19.{j / 250}.{(j % 250) + 1}").ToList();
            var (status, body) = await agent.ReportAsync(new(
                $"outside-{i}", null, null, [], rows.Select(r => new PeerTrafficV1(r, 10, 10)).ToList(), rows.Select(r => new BlockedAttemptV1(r, 7680, 1)).ToList()));
            Assert.True(status == HttpStatusCode.OK, body);
        }

        Assert.Equal(1_000, await tables.CountAsync("peer_traffic", "run_id IS NULL"));
        Assert.Equal(1_000, await tables.CountAsync("blocked_attempts", "run_id IS NULL"));

        // The newest rows are the ones kept.
        Assert.Equal(0, await tables.CountAsync("peer_traffic", "run_id IS NULL AND reported_at < (SELECT max(reported_at) FROM peer_traffic) AND id < (SELECT max(id) - 999 FROM peer_traffic)"));

        // The other endpoint's rows outside runs are its own and are not pruned by this one's.
        Assert.Equal(HttpStatusCode.OK, (await site.Agents[1].ReportAsync(new("other", null, null, [], [new(agent.Address, 1, 1)], []))).Status);
        Assert.Equal(1_001, await tables.CountAsync("peer_traffic", "run_id IS NULL"));
    }
}
