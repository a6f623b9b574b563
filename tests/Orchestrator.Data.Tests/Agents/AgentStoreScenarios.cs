using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Agents;

/// <summary>Agent credentials: enrollment tokens claimed atomically, scopes enforced, an endpoint never silently taken
/// over, rotation and revocation final.</summary>
public abstract class AgentStoreScenarios : StoreScenarios
{
    private static readonly EnrollmentScope Anywhere = new(null, null, []);

    [Fact]
    public async Task ASingleUseTokenEnrollsExactlyOneOfTwentyRacingAgents()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        var token = await db.Agents.CreateTokenAsync("one", "token-hash", true, now.AddHours(1), Anywhere, "admin", now, Ct);
        using var gate = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(
            async () =>
            {
                gate.Wait(Ct);
                return await db.Agents.EnrollAsync(Enroll("token-hash", $"pc-{i}", $"agent-{i}", $"198.18.1.{i + 1}"), now, Ct);
            },
            Ct)).ToList();
        gate.Set();
        var outcomes = await Task.WhenAll(attempts);

        var enrolled = Assert.Single(outcomes, o => o.Agent is not null);
        Assert.All(outcomes.Where(o => o.Agent is null), o => Assert.Equal(EnrollmentRefusal.TokenNotUsable, o.Refusal));
        var used = (await db.Agents.ListTokensAsync(Ct)).Single(t => t.Id == token.Id);
        Assert.Equal((1, now), (used.Uses, used.UsedAt!.Value));
        Assert.Equal([enrolled.Agent!.Id], (await db.Agents.ListAsync(Ct)).Select(a => a.Id));
        Assert.Single(await db.Endpoints.ListAsync(Ct));
    }

    [Fact]
    public async Task ARevokedOrExpiredTokenEnrollsNobodyAndAScopeRefusalUsesNothing()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        var revoked = await db.Agents.CreateTokenAsync("revoked", "hash-revoked", false, now.AddHours(1), Anywhere, "admin", now, Ct);
        await db.Agents.CreateTokenAsync("expired", "hash-expired", false, now.AddMinutes(1), Anywhere, "admin", now, Ct);
        var lab = await db.Agents.CreateTokenAsync("lab", "hash-lab", true, now.AddHours(1), new EnrollmentScope("lab-*", ["198.18.2.0/24"], []), "admin", now, Ct);

        Assert.True(await db.Agents.RevokeTokenAsync(revoked.Id, "admin", now, Ct));
        Assert.False(await db.Agents.RevokeTokenAsync(revoked.Id, "admin", now, Ct));
        Assert.Equal(EnrollmentRefusal.TokenNotUsable, (await db.Agents.EnrollAsync(Enroll("hash-revoked", "pc-1", "agent-1", "198.18.1.1"), now, Ct)).Refusal);
        Assert.Equal(EnrollmentRefusal.TokenNotUsable, (await db.Agents.EnrollAsync(Enroll("hash-expired", "pc-2", "agent-2", "198.18.1.2"), now.AddMinutes(1), Ct)).Refusal);
        var outside = await db.Agents.EnrollAsync(Enroll("hash-lab", "office-1", "agent-3", "198.18.1.3"), now, Ct);
        Assert.Equal(EnrollmentRefusal.OutsideScope, outside.Refusal);
        Assert.NotEmpty(outside.Errors);
        Assert.Empty(await db.Agents.ListAsync(Ct));
        Assert.Empty(await db.Endpoints.ListAsync(Ct));

        // The refused attempt rolled its claim back: the single-use token still enrolls one agent inside its scope.
        Assert.Equal(0, (await db.Agents.ListTokensAsync(Ct)).Single(t => t.Id == lab.Id).Uses);
        Assert.NotNull((await db.Agents.EnrollAsync(Enroll("hash-lab", "lab-1", "agent-4", "198.18.2.1"), now, Ct)).Agent);
    }

    [Fact]
    public async Task EnrollingAsAnExistingEndpointNeedsAOneShotMarkAndRevokesTheAgentItReplaces()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        await db.Agents.CreateTokenAsync("many", "hash-many", false, now.AddDays(1), Anywhere, "admin", now, Ct);
        var enrolledFirst = await db.Agents.EnrollAsync(Enroll("hash-many", "pc-1", "agent-old", "198.18.1.1"), now, Ct);
        var first = enrolledFirst.Agent!;
        Assert.Empty(enrolledFirst.Replaced);

        await Assert.ThrowsAsync<ConflictException>(() => db.Agents.EnrollAsync(Enroll("hash-many", "PC-1", "agent-new", "198.18.1.9"), now, Ct));
        Assert.Null(await db.Agents.GetAsync("agent-new", Ct));
        Assert.True(await db.Endpoints.SetReEnrollableAsync(first.EndpointId, now.AddMinutes(10), "admin", now, Ct));
        var enrolledSecond = await db.Agents.EnrollAsync(Enroll("hash-many", "pc-1", "agent-new", "198.18.1.9"), now.AddMinutes(1), Ct);
        var second = enrolledSecond.Agent!;
        Assert.Equal(["agent-old"], enrolledSecond.Replaced);

        Assert.Equal(first.EndpointId, second.EndpointId);
        Assert.Equal(now.AddMinutes(1), (await db.Agents.GetAsync("agent-old", Ct))!.RevokedAt);
        Assert.Null(second.RevokedAt);
        Assert.Equal(["198.18.1.9"], (await db.Endpoints.GetAsync(first.EndpointId, Ct))!.Addresses);
        // The mark was used up by that enrollment.
        await Assert.ThrowsAsync<ConflictException>(() => db.Agents.EnrollAsync(Enroll("hash-many", "pc-1", "agent-third", "198.18.1.9"), now.AddMinutes(2), Ct));
    }

    [Fact]
    public async Task ARotatedSecretReplacesTheOldOneAndARevokedAgentStaysRevoked()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        await db.Agents.CreateTokenAsync("many", "hash-many", false, now.AddDays(1), Anywhere, "admin", now, Ct);
        var agent = (await db.Agents.EnrollAsync(Enroll("hash-many", "pc-1", "agent-1", "198.18.1.1"), now, Ct)).Agent!;
        var other = (await db.Agents.EnrollAsync(Enroll("hash-many", "pc-2", "agent-2", "198.18.1.2"), now, Ct)).Agent!;

        Assert.True(await db.Agents.RotateAsync("agent-1", "secret-2", now.AddMinutes(1), Ct));
        await db.Agents.TouchAsync("agent-1", now.AddMinutes(2), Ct);
        var rotated = (await db.Agents.GetAsync("agent-1", Ct))!;
        Assert.Equal(("secret-2", now.AddMinutes(1), now.AddMinutes(2)), (rotated.SecretHash, rotated.RotatedAt!.Value, rotated.LastSeenAt!.Value));
        Assert.Equal(now.AddMinutes(2), (await db.Agents.LastSeenOfEndpointsAsync([agent.EndpointId], Ct))[agent.EndpointId]);

        Assert.True(await db.Agents.RevokeAsync("agent-1", "admin", now.AddMinutes(3), Ct));
        Assert.False(await db.Agents.RevokeAsync("agent-1", "admin", now.AddMinutes(4), Ct));
        Assert.False(await db.Agents.RotateAsync("agent-1", "secret-3", now.AddMinutes(5), Ct));

        var revoked = (await db.Agents.GetAsync("agent-1", Ct))!;
        Assert.Equal(("secret-2", now.AddMinutes(3)), (revoked.SecretHash, revoked.RevokedAt!.Value));
        Assert.DoesNotContain(agent.EndpointId, (await db.Agents.LastSeenOfEndpointsAsync([agent.EndpointId, other.EndpointId], Ct)).Keys);
        Assert.Equal(["agent-2"], (await db.Agents.ListForEndpointsAsync([other.EndpointId], Ct)).Select(a => a.Id));
        Assert.Equal(
            ["enrolled", "secret rotated", "revoked"],
            (await db.Audit.ListAsync(new AuditQuery(Entity: "agent", EntityId: "agent-1"), Ct)).Select(e => e.Action).Reverse());
    }

    private static Enrollment Enroll(string tokenHash, string hostname, string agentId, string address) =>
        new(tokenHash, new EndpointRegistration(hostname, [address], "linux", []), agentId, "secret-of-" + agentId, "1.0.0");
}

public sealed class AgentStoreScenarios_Sqlite : AgentStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class AgentStoreScenarios_Postgres(PostgresClusterFixture cluster) : AgentStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
