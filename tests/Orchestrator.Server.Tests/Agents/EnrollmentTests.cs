using System.Net;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

public sealed class EnrollmentTests
{
    [Fact]
    public async Task EnrollingAsAnEndpointAnAdminMarkedLinksTheAgentToItAndStoresOnlyTheSecretsHash()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var existing = await client.CreateAsync("/api/v1/endpoints", new { hostname = "PC-1", addresses = new[] { "198.18.0.11" }, os = "windows", tags = new[] { "ops-tag" } });
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t", tags = new[] { "agent-tag" } }))["token"]!;
        await client.CreateAsync($"/api/v1/endpoints/{(long)existing["id"]!}/re-enrollable", new { });

        var agent = await TestAgent.EnrollAsync(client, token, "pc-1", "198.18.0.21", "agent-tag");

        Assert.Equal((long)existing["id"]!, agent.Credential.EndpointId);
        var endpoint = await client.GetJsonAsync($"/api/v1/endpoints/{agent.Credential.EndpointId}");
        Assert.Equal(["198.18.0.21"], endpoint["addresses"]!.AsArray().Select(a => (string)a!));
        Assert.Equal(["ops-tag", "agent-tag"], endpoint["tags"]!.AsArray().Select(a => (string)a!));

        var tables = new ProductTables(factory.DataDirectory);
        Assert.Equal(0, await tables.CountAsync("agents", $"secret_hash = '{agent.Credential.Secret}'"));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(agent.Credential.Secret)));
        Assert.Equal(1, await tables.CountAsync("agents", $"secret_hash = '{hash}'"));
        Assert.Equal(0, await tables.CountAsync("enrollment_tokens", $"token_hash = '{token}'"));
    }

    [Fact]
    public async Task ExpiredRevokedAndUsedSingleUseTokensAreRefusedAndStoreNothing()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var single = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "once", singleUse = true }))["token"]!;
        var revoked = await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "revoked" });
        var (status, _) = await client.SendAsync(HttpMethod.Delete, $"/api/v1/enrollment-tokens/{(long)revoked["id"]!}");
        Assert.Equal(HttpStatusCode.NoContent, status);
        await TestAgent.EnrollAsync(client, single, "pc-1", "198.18.0.11");
        var tables = new ProductTables(factory.DataDirectory);
        var before = await tables.SnapshotAsync();

        foreach (var token in new[] { single, (string)revoked["token"]!, "oet_unknown" })
        {
            var (refused, body) = await client.PostAsync("/agent/v1/enroll", new { token, hostname = "pc-2", addresses = new[] { "198.18.0.12" }, os = "linux", tags = Array.Empty<string>(), agentVersion = "t" });
            Assert.Equal(HttpStatusCode.Unauthorized, refused);
            Assert.Contains("expired, revoked or already used", (string?)body!["detail"], StringComparison.Ordinal);
        }

        Assert.Equal(before, await tables.SnapshotAsync());
    }

    [Fact]
    public async Task ARevokedAgentIsCutOffAtItsNextCallAndARotatedSecretReplacesTheOldOne()
    {
        await using var site = await AgentSite.StartAsync(2);
        var (first, second) = (site.Agents[0], site.Agents[1]);
        var oldAuthorization = first.Authorization;

        await first.RotateAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.PollAsync(0, 0, oldAuthorization)).Status);
        Assert.Equal(HttpStatusCode.OK, (await first.PollAsync(0, 0)).Status);

        var (revoke, _) = await site.Client.SendAsync(HttpMethod.Post, $"/api/v1/agents/{second.Credential.AgentId}/revoke");
        Assert.Equal(HttpStatusCode.NoContent, revoke);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.PollAsync(0, 0)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.AcknowledgeAsync(1)).Status);
    }

    [Fact]
    public async Task AnAgentCannotActForAnotherEndpointWithItsOwnSecret()
    {
        await using var site = await AgentSite.StartAsync(2);
        var (mine, theirs) = (site.Agents[0], site.Agents[1]);
        var forged = $"Agent {theirs.Credential.AgentId}:{mine.Credential.Secret}";

        Assert.Equal(HttpStatusCode.Unauthorized, (await mine.PollAsync(0, 0, forged)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await mine.ReportAsync(new(Guid.NewGuid().ToString("N"), null, null, [], [new("198.18.0.11", 5, 5)], []), forged)).Status);
        Assert.Equal(0, await new ProductTables(site.Factory.DataDirectory).CountAsync("peer_traffic"));
    }
}
