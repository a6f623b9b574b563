using System.Net;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// Regression: anyone holding a multi-use enrollment token could enroll with the hostname of an
/// existing endpoint (any case), lock its agent out, replace its addresses with their own and add their tags — so their
/// address landed in every group member's allow-list at the next run.
/// </summary>
public sealed class EnrollmentTakeoverTests
{
    private static object Enroll(string token, string hostname, string address, params string[] tags) =>
        new { token, hostname, addresses = new[] { address }, os = "linux", tags, agentVersion = "t" };

    [Fact]
    public async Task EnrollingAsAnEndpointWithAnAgentIsRefusedAndTheRealAgentKeepsWorking()
    {
        await using var site = await AgentSite.StartAsync(2);
        var victim = site.Agents[0];
        var tables = new ProductTables(site.Factory.DataDirectory);
        var before = await tables.SnapshotAsync();

        var (status, body) = await site.Client.PostAsync("/agent/v1/enroll", Enroll(site.Token, "PC-1", "198.18.0.66", "floor-3"));

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("re-enrollable", (string?)body!["detail"], StringComparison.Ordinal);
        Assert.Contains("'pc-1'", (string?)body["detail"], StringComparison.Ordinal);
        Assert.Equal(before, await tables.SnapshotAsync());
        Assert.Equal(HttpStatusCode.OK, (await victim.PollAsync(0, 0)).Status);
        var endpoint = await site.Client.GetJsonAsync($"/api/v1/endpoints/{victim.Credential.EndpointId}");
        Assert.Equal([victim.Address], endpoint["addresses"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public async Task EnrollingAsAnEndpointOpsRegisteredNeedsAnAdministratorsOneShotMark()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var registered = await client.CreateAsync("/api/v1/endpoints", new { hostname = "db-1", addresses = new[] { "198.18.0.21" }, os = "linux", tags = new[] { "db" } });
        var id = (long)registered["id"]!;
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t", tags = new[] { "db" } }))["token"]!;

        var (refused, problem) = await client.PostAsync("/agent/v1/enroll", Enroll(token, "DB-1", "198.18.0.66", "db"));
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Contains($"/api/v1/endpoints/{id}/re-enrollable", (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Equal(["198.18.0.21"], (await client.GetJsonAsync($"/api/v1/endpoints/{id}"))["addresses"]!.AsArray().Select(a => (string)a!));

        var operatorKey = (string)(await client.CreateAsync("/api/v1/keys", new { name = "op", role = "operator" }))["key"]!;
        using var @operator = factory.CreateAnonymousClient();
        @operator.DefaultRequestHeaders.Authorization = new("Bearer", operatorKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await @operator.PostAsync($"/api/v1/endpoints/{id}/re-enrollable", new { })).Status);

        var marked = await client.CreateAsync($"/api/v1/endpoints/{id}/re-enrollable", new { expiresIn = "PT1H" });
        Assert.NotNull((string?)marked["reEnrollableUntil"]);
        var agent = await TestAgent.EnrollAsync(client, token, "db-1", "198.18.0.22", "db");
        Assert.Equal(id, agent.Credential.EndpointId);
        var endpoint = await client.GetJsonAsync($"/api/v1/endpoints/{id}");
        Assert.Equal(["198.18.0.22"], endpoint["addresses"]!.AsArray().Select(a => (string)a!));
        Assert.Null((string?)endpoint["reEnrollableUntil"]);

        // One-shot: the mark is used up, so a second enrollment as db-1 is refused again.
        var (again, _) = await client.PostAsync("/agent/v1/enroll", Enroll(token, "db-1", "198.18.0.23", "db"));
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal(HttpStatusCode.OK, (await agent.PollAsync(0, 0)).Status);

        var audit = (await client.GetJsonAsync($"/api/v1/audit?entity=endpoint&entityId={id}&limit=100")).AsArray();
        Assert.Contains(audit, e => (string?)e!["action"] == "marked re-enrollable" && (string?)e["actor"] == "key:bootstrap-admin");
        var change = Assert.Single(audit, e => (string?)e!["action"] == "addresses changed" && (string?)e["actor"] != "key:bootstrap-admin");
        Assert.StartsWith("agent:", (string?)change!["actor"], StringComparison.Ordinal);
        Assert.Equal(["198.18.0.21"], change["detail"]!["oldAddresses"]!.AsArray().Select(a => (string)a!));
        Assert.Equal(["198.18.0.22"], change["detail"]!["newAddresses"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public async Task AnExpiredOrWithdrawnMarkAllowsNothing()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var id = (long)(await client.CreateAsync("/api/v1/endpoints", new { hostname = "db-1", addresses = new[] { "198.18.0.21" } }))["id"]!;
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t" }))["token"]!;
        await client.CreateAsync($"/api/v1/endpoints/{id}/re-enrollable", new { });
        var (withdrawn, _) = await client.SendAsync(HttpMethod.Delete, $"/api/v1/endpoints/{id}/re-enrollable");
        Assert.Equal(HttpStatusCode.NoContent, withdrawn);

        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/agent/v1/enroll", Enroll(token, "db-1", "198.18.0.66"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"/api/v1/endpoints/{id}/re-enrollable", new { expiresIn = "P31D" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/v1/endpoints/999999/re-enrollable", new { })).Status);
    }

    [Fact]
    public async Task AnAgentCannotGiveItselfTagsHostnamesOrAddressesOutsideItsTokensScope()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var scoped = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new
        {
            name = "lab", hostnamePattern = "lab-*.example", addressCidrs = new[] { "198.18.4.0/24" }, tags = new[] { "lab" },
        }))["token"]!;
        var plain = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "plain" }))["token"]!;
        var tables = new ProductTables(factory.DataDirectory);
        var before = await tables.SnapshotAsync();

        foreach (var (body, field) in new[]
        {
            (Enroll(scoped, "db-1.example", "198.18.4.5", "lab"), "hostname"),
            (Enroll(scoped, "lab-1.example", "198.18.5.5", "lab"), "addresses[0]"),
            (Enroll(scoped, "lab-1.example", "198.18.4.5", "lab", "db"), "tags[1]"),
            (Enroll(plain, "pc-9", "198.18.0.99", "db"), "tags[0]"),
        })
        {
            var (status, problem) = await client.PostAsync("/agent/v1/enroll", body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            var message = (string?)problem!["errors"]?[field]?[0];
            Assert.True(message?.Contains("enrollment token", StringComparison.Ordinal) == true, $"{field}: {problem}");
        }

        Assert.Equal(before, await tables.SnapshotAsync());
        var agent = await TestAgent.EnrollAsync(client, scoped, "LAB-1.example", "198.18.4.5", "lab");
        var endpoint = await client.GetJsonAsync($"/api/v1/endpoints/{agent.Credential.EndpointId}");
        Assert.Equal(["lab"], endpoint["tags"]!.AsArray().Select(t => (string)t!));
        var tokens = (await client.GetJsonAsync("/api/v1/enrollment-tokens")).AsArray();
        var listed = tokens.Single(t => (string?)t!["name"] == "lab")!;
        Assert.Equal("lab-*.example", (string?)listed["hostnamePattern"]);
        Assert.Equal(1, (int)listed["uses"]!);
    }

    [Fact]
    public async Task AnAddressAnotherEndpointHoldsIsRefusedWithTheHolderNamed()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        await client.CreateAsync("/api/v1/endpoints", new { hostname = "pc-1", addresses = new[] { "198.18.0.11" } });
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t" }))["token"]!;
        var tables = new ProductTables(factory.DataDirectory);
        var before = await tables.SnapshotAsync();

        var (registered, problem) = await client.PostAsync("/api/v1/endpoints", new { hostname = "pc-2", addresses = new[] { "198.18.0.12", "198.18.0.11" } });
        Assert.Equal(HttpStatusCode.Conflict, registered);
        Assert.Contains("addresses[1]: 198.18.0.11 is already an address of endpoint 'pc-1'", (string?)problem!["detail"], StringComparison.Ordinal);

        var (enrolled, enrollProblem) = await client.PostAsync("/agent/v1/enroll", Enroll(token, "pc-3", "198.18.0.11"));
        Assert.Equal(HttpStatusCode.Conflict, enrolled);
        Assert.Contains("endpoint 'pc-1'", (string?)enrollProblem!["detail"], StringComparison.Ordinal);

        var (imported, _) = await client.PostAsync("/api/v1/endpoints/import", new object[]
        {
            new { hostname = "pc-4", addresses = new[] { "198.18.0.14" } },
            new { hostname = "pc-5", addresses = new[] { "198.18.0.11" } },
        });
        Assert.Equal(HttpStatusCode.Conflict, imported);
        var (twice, twiceProblem) = await client.PostAsync("/api/v1/endpoints/import", new object[]
        {
            new { hostname = "pc-4", addresses = new[] { "198.18.0.14" } },
            new { hostname = "pc-5", addresses = new[] { "198.18.0.14" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, twice);
        Assert.NotNull(twiceProblem!["errors"]!["[1].addresses[0]"]);

        Assert.Equal(before, await tables.SnapshotAsync());
    }

    [Fact]
    public async Task EveryAddressChangeOfAnEndpointIsAuditedWithOldAndNew()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var id = (long)(await client.CreateAsync("/api/v1/endpoints", new { hostname = "pc-1", addresses = new[] { "198.18.0.11" } }))["id"]!;
        await client.CreateAsync("/api/v1/endpoints", new { hostname = "PC-1", addresses = new[] { "198.18.0.11" }, os = "linux" });
        await client.CreateAsync("/api/v1/endpoints", new { hostname = "pc-1", addresses = new[] { "198.18.0.31", "2001:db8::31" } });

        var changes = (await client.GetJsonAsync($"/api/v1/audit?entity=endpoint&entityId={id}&limit=100")).AsArray()
            .Where(e => (string?)e!["action"] == "addresses changed")
            .Select(e => e!["detail"])
            .ToList();

        var change = Assert.Single(changes); // the os-only update changes no address
        Assert.True(change is not null, "detail");
        Assert.Contains(changes, c => c!.ToJsonString().Contains("\"oldAddresses\":[\"198.18.0.11\"]", StringComparison.Ordinal)
            && c.ToJsonString().Contains("\"newAddresses\":[\"198.18.0.31\",\"2001:db8::31\"]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("fe80::1%eth0")]
    [InlineData("fe80::1")]
    [InlineData("169.254.3.4")]
    [InlineData("0.1.2.3")]
    [InlineData("::ffff:198.18.0.9")]
    [InlineData("2001:DB8::1")]
    public async Task AnAddressTheAgentWouldRefuseIsRefusedAtEnrollment(string address)
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t" }))["token"]!;

        var (status, problem) = await client.PostAsync("/agent/v1/enroll", Enroll(token, "pc-1", address));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem!["errors"]!["addresses[0]"]);
        Assert.Equal(0, await new ProductTables(factory.DataDirectory).CountAsync("endpoints"));
    }
}
