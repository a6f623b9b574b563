using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Api;

public sealed class EndpointsApiTests(OrchestratorFactory factory) : IClassFixture<OrchestratorFactory>
{
    private readonly HttpClient _client = factory.CreateClient();
    private readonly ProductTables _tables = new(factory.DataDirectory);

    [Fact]
    public async Task RegisteringAHostnameCreatesItAndRegisteringItAgainUpdatesTheSameRecord()
    {
        var (created, first) = await _client.SendAsync(HttpMethod.Post, "/api/v1/endpoints", Bodies.Endpoint("pc-0001.corp.example"));
        var (updated, second) = await _client.SendAsync(HttpMethod.Post, "/api/v1/endpoints",
            Bodies.Endpoint("PC-0001.corp.example", e => e["addresses"] = new JsonArray("198.18.0.21", "2001:db8::21")));

        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(HttpStatusCode.OK, updated);
        var id = (long)first!["id"]!;
        Assert.Equal(id, (long)second!["id"]!);
        Assert.Equal(["198.18.0.21", "2001:db8::21"], second["addresses"]!.AsArray().Select(a => (string?)a));
        Assert.Equal("api", (string?)second["source"]);
        Assert.Equal(1, await _tables.CountAsync("endpoints", "lower(hostname) = 'pc-0001.corp.example'"));
        Assert.Equal(["created", "updated", "addresses changed"], (await _tables.AuditAsync("endpoint", id)).Select(a => a.Action));
        Assert.All(await _tables.AuditAsync("endpoint", id), a => Assert.Equal("key:bootstrap-admin", a.Actor));
    }

    [Fact]
    public async Task CreatedEndpointIsServedAtItsLocation()
    {
        using var response = await _client.PostAsync(
            "/api/v1/endpoints",
            new StringContent(Bodies.Endpoint("pc-0002.corp.example"), System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var endpoint = await _client.GetJsonAsync(response.Headers.Location!.ToString());
        Assert.Equal("pc-0002.corp.example", (string?)endpoint["hostname"]);
        Assert.Equal(["ring1"], endpoint["tags"]!.AsArray().Select(t => (string?)t));
    }

    [Fact]
    public async Task AnIPv4MappedAddressIsRefusedWithTheIPv4FormNamed()
    {
        var (status, problem) = await _client.SendAsync(HttpMethod.Post, "/api/v1/endpoints",
            Bodies.Endpoint("pc-0003.corp.example", e => e["addresses"] = new JsonArray("198.18.0.23", "::ffff:198.18.0.23")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("send the IPv4 form 198.18.0.23", (string?)problem!["errors"]!["addresses[1]"]![0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportStoresEveryEndpointOrNone()
    {
        await _client.CreateAsync("/api/v1/endpoints", JsonNode.Parse(Bodies.Endpoint("imp-existing.example"))!);
        var before = await _tables.SnapshotAsync();

        var (refused, _) = await _client.SendAsync(HttpMethod.Post, "/api/v1/endpoints/import",
            $"[{Bodies.Endpoint("imp-new.example")}, {Bodies.Endpoint("imp-existing.example")}, {Bodies.Endpoint("imp-bad.example", e => e["addresses"] = new JsonArray("0.0.0.0"))}]");

        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal(before, await _tables.SnapshotAsync());

        var (accepted, result) = await _client.SendAsync(HttpMethod.Post, "/api/v1/endpoints/import",
            $"[{Bodies.Endpoint("imp-new.example")}, {Bodies.Endpoint("IMP-EXISTING.example", e => e["os"] = "linux")}]");

        Assert.Equal(HttpStatusCode.OK, accepted);
        Assert.Equal(1, (int)result!["created"]!);
        Assert.Equal(1, (int)result["updated"]!);
        var stored = result["endpoints"]!.AsArray();
        Assert.Equal(["import", "api"], stored.Select(e => (string?)e!["source"]));
        Assert.Equal("linux", (string?)stored[1]!["os"]);
        Assert.Equal(["created"], (await _tables.AuditAsync("endpoint", (long)stored[0]!["id"]!)).Select(a => a.Action));
        Assert.Equal(["created", "updated"], (await _tables.AuditAsync("endpoint", (long)stored[1]!["id"]!)).Select(a => a.Action));
    }

    [Fact]
    public async Task DeletingAnEndpointRemovesItOnce()
    {
        var id = (long)(await _client.CreateAsync("/api/v1/endpoints", JsonNode.Parse(Bodies.Endpoint("pc-0004.corp.example"))!))["id"]!;

        var (deleted, _) = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/endpoints/{id}");
        var (gone, _) = await _client.SendAsync(HttpMethod.Get, $"/api/v1/endpoints/{id}");
        var (again, _) = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/endpoints/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal(HttpStatusCode.NotFound, again);
        Assert.Equal(["created", "deleted"], (await _tables.AuditAsync("endpoint", id)).Select(a => a.Action));
    }
}
