using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Api;

public sealed class GroupsApiTests(OrchestratorFactory factory) : IClassFixture<OrchestratorFactory>
{
    private readonly HttpClient _client = factory.CreateClient();
    private readonly ProductTables _tables = new(factory.DataDirectory);

    [Fact]
    public async Task AGroupIsCreatedUpdatedAndDeletedWithAnAuditRowForEachChange()
    {
        var (created, group) = await _client.SendAsync(HttpMethod.Post, "/api/v1/groups", Bodies.Group("berlin-floor-1"));
        var id = (long)group!["id"]!;
        var (updated, changed) = await _client.SendAsync(HttpMethod.Put, $"/api/v1/groups/{id}",
            Bodies.Group("Berlin floor 1", g => { g["cidrs"] = new JsonArray("198.18.4.0/24"); g["description"] = "first floor"; }));
        var listed = await _client.GetJsonAsync("/api/v1/groups");
        var (deleted, _) = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/groups/{id}");
        var (gone, _) = await _client.SendAsync(HttpMethod.Get, $"/api/v1/groups/{id}");

        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal("Berlin floor 1", (string?)changed!["name"]);
        Assert.Equal("first floor", (string?)changed["description"]);
        Assert.Equal(["198.18.4.0/24"], changed["cidrs"]!.AsArray().Select(c => (string?)c));
        Assert.Contains(listed.AsArray(), g => (long)g!["id"]! == id && (string?)g["name"] == "Berlin floor 1");
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal(["created", "updated", "deleted"], (await _tables.AuditAsync("group", id)).Select(a => a.Action));
    }

    [Fact]
    public async Task AGroupCanKeepItsOwnNameOnUpdate()
    {
        var id = (long)(await _client.CreateAsync("/api/v1/groups", JsonNode.Parse(Bodies.Group("same-name"))!))["id"]!;

        var (status, _) = await _client.SendAsync(HttpMethod.Put, $"/api/v1/groups/{id}", Bodies.Group("SAME-name"));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task DeletingAGroupIsRefusedWhileAWindowNamesIt()
    {
        var id = (long)(await _client.CreateAsync("/api/v1/groups", JsonNode.Parse(Bodies.Group("in-use"))!))["id"]!;
        var window = (long)(await _client.CreateAsync("/api/v1/windows",
            JsonNode.Parse(Bodies.Window("uses-in-use", w => w["groups"] = new JsonArray("in-use")))!))["id"]!;

        var (refused, problem) = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/groups/{id}");

        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Contains("'uses-in-use'", (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Equal(1, await _tables.CountAsync("groups", $"id = {id}"));
        Assert.Equal(1, await _tables.CountAsync("window_groups", $"group_id = {id}"));

        Assert.Equal(HttpStatusCode.NoContent, (await _client.SendAsync(HttpMethod.Delete, $"/api/v1/windows/{window}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.SendAsync(HttpMethod.Delete, $"/api/v1/groups/{id}")).Status);
    }

    [Fact]
    public async Task MembersPreviewIsTheUnionOfHostnameCidrAndTagRules()
    {
        await Register("mem-static.example", ["198.18.9.1"], []);
        await Register("mem-cidr4.example", ["198.18.10.7"], []);
        await Register("mem-cidr6.example", ["2001:db8:1::7"], []);
        await Register("mem-tag.example", ["198.18.9.3"], ["Ring2"]);
        await Register("mem-outside.example", ["198.18.11.1", "2001:db8:2::1"], ["ring3"]);
        var group = await _client.CreateAsync("/api/v1/groups", JsonNode.Parse(
            """{"name":"members-preview","staticMembers":["MEM-STATIC.example"],"cidrs":["198.18.10.0/24","2001:db8:1::/48"],"tags":["ring2"]}""")!);

        var members = await _client.GetJsonAsync($"/api/v1/groups/{group["id"]}/members");

        Assert.Equal(
            ["mem-cidr4.example", "mem-cidr6.example", "mem-static.example", "mem-tag.example"],
            members.AsArray().Select(m => (string?)m!["hostname"]).Where(h => h!.StartsWith("mem-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(["2001:db8:1::7"], members.AsArray().Single(m => (string?)m!["hostname"] == "mem-cidr6.example")!["addresses"]!.AsArray().Select(a => (string?)a));
    }

    [Fact]
    public async Task MembersPreviewFollowsEndpointChangesMadeAfterAnEarlierPreview()
    {
        await Register("moving.example", ["198.18.12.1"], ["ring5"]);
        var group = await _client.CreateAsync("/api/v1/groups", new { name = "moving-members", tags = new[] { "ring5" } });
        var path = $"/api/v1/groups/{group["id"]}/members";
        var before = await _client.GetJsonAsync(path);

        await Register("moving.example", ["198.18.12.1"], ["ring6"]);
        await Register("arriving.example", ["198.18.12.2"], ["ring5"]);
        var after = await _client.GetJsonAsync(path);

        Assert.Equal(["moving.example"], before.AsArray().Select(m => (string?)m!["hostname"]));
        Assert.Equal(["arriving.example"], after.AsArray().Select(m => (string?)m!["hostname"]));
    }

    [Fact]
    public async Task MembersOfAGroupThatDoesNotExistIsNotFound()
    {
        var (status, _) = await _client.SendAsync(HttpMethod.Get, "/api/v1/groups/987654/members");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    private Task<JsonNode> Register(string hostname, string[] addresses, string[] tags) =>
        _client.CreateAsync("/api/v1/endpoints", new { hostname, addresses, tags });
}
