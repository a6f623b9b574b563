using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Agents;

public abstract class AgentStoreScenarios : StoreScenarios
{
    private static readonly EnrollmentScope AnyHost = new(null, null, []);

    [Fact]
    public async Task ASingleUseTokenEnrollsExactlyOneOfTenAgentsRacingForIt()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        await db.Agents.CreateTokenAsync("once", "hash-once", singleUse: true, now.AddHours(1), AnyHost, "alice", now, Ct);
        using var gate = new ManualResetEventSlim();

        var attempts = Enumerable.Range(1, 10).Select(i => Task.Run(
            async () =>
            {
                gate.Wait(Ct);
                return await db.Agents.EnrollAsync(Enroll("hash-once", $"pc-{i}.example", $"198.18.1.{i}", $"agent-{i}"), now, Ct);
            },
            Ct)).ToList();
        gate.Set();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Single(outcomes, o => o.Agent is not null);
        Assert.Equal(9, outcomes.Count(o => o.Refusal == EnrollmentRefusal.TokenNotUsable));
        var token = Assert.Single(await db.Agents.ListTokensAsync(Ct));
        Assert.Equal((1, true), (token.Uses, token.SingleUse));
        Assert.Single(await db.Agents.ListAsync(Ct));
    }

    /// <summary>Two agents enrolling as one new hostname at once (two nodes, two tokens): one wins, the other is told the
    /// endpoint exists, as when they come one after the other.</summary>
    [Fact]
    public async Task TwoAgentsEnrollingAsOneNewHostnameAtOnceMakeOneEndpointAndOneConflict()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        await db.Agents.CreateTokenAsync("t1", "hash-1", singleUse: false, now.AddHours(1), AnyHost, "alice", now, Ct);
        await db.Agents.CreateTokenAsync("t2", "hash-2", singleUse: false, now.AddHours(1), AnyHost, "alice", now, Ct);
        using var gate = new ManualResetEventSlim();

        var attempts = new[] { ("hash-1", "198.18.2.1", "agent-1"), ("hash-2", "198.18.2.2", "agent-2") }.Select(e => Task.Run(
            async () =>
            {
                gate.Wait(Ct);
                try
                {
                    return (await db.Agents.EnrollAsync(Enroll(e.Item1, "same.example", e.Item2, e.Item3), now, Ct)).Agent is not null ? "enrolled" : "refused";
                }
                catch (ConflictException error)
                {
                    Assert.Contains("same.example", error.Message, StringComparison.Ordinal);
                    return "conflict";
                }
            },
            Ct)).ToList();
        gate.Set();

        Assert.Equal(["conflict", "enrolled"], (await Task.WhenAll(attempts)).Order(StringComparer.Ordinal));
        Assert.Single(await db.Endpoints.ListAsync(Ct));
        Assert.Single(await db.Agents.ListAsync(Ct));
    }

    [Fact]
    public async Task LastSeenCountsAgentsNotRevokedAndRotationOrRevocationOfARevokedAgentChangesNothing()
    {
        await using var db = await NewBackendAsync();
        var t0 = db.Time.GetUtcNow();
        await db.Agents.CreateTokenAsync("fleet", "hash-fleet", singleUse: false, t0.AddHours(1), AnyHost, "alice", t0, Ct);
        var a = (await db.Agents.EnrollAsync(Enroll("hash-fleet", "a.example", "198.18.3.1", "agent-a"), t0, Ct)).Agent!;
        var b = (await db.Agents.EnrollAsync(Enroll("hash-fleet", "b.example", "198.18.3.2", "agent-b"), t0, Ct)).Agent!;

        await db.Agents.TouchAsync("agent-a", t0.AddMinutes(5), Ct);
        Assert.True(await db.Agents.RotateAsync("agent-a", "secret-2", t0.AddMinutes(6), Ct));
        Assert.True(await db.Agents.RevokeAsync("agent-b", "alice", t0.AddMinutes(7), Ct));
        Assert.False(await db.Agents.RevokeAsync("agent-b", "alice", t0.AddMinutes(8), Ct));
        Assert.False(await db.Agents.RotateAsync("agent-b", "secret-3", t0.AddMinutes(8), Ct));

        var lastSeen = await db.Agents.LastSeenOfEndpointsAsync([a.EndpointId, b.EndpointId, 999_999], Ct);
        Assert.Equal(new Dictionary<long, DateTimeOffset?> { [a.EndpointId] = t0.AddMinutes(5) }, lastSeen);
        var rotated = await db.Agents.GetAsync("agent-a", Ct);
        Assert.Equal(("secret-2", t0.AddMinutes(6), "a.example"), (rotated!.SecretHash, rotated.RotatedAt, rotated.Hostname));
        Assert.Equal(["agent-b"], (await db.Agents.ListForEndpointsAsync([b.EndpointId], Ct)).Select(r => r.Id));
        Assert.Equal(t0.AddMinutes(7), (await db.Agents.GetAsync("agent-b", Ct))!.RevokedAt);
        Assert.Equal(["a.example", "b.example"], (await db.Agents.ListAsync(Ct)).Select(r => r.Hostname));
        Assert.Equal(["enrolled", "enrolled", "secret rotated", "revoked"],
            (await db.Audit.ListAsync(new Orchestrator.Data.Audit.AuditQuery(Entity: "agent"), Ct)).Select(e => e.Action).Reverse());
    }

    private static Enrollment Enroll(string tokenHash, string hostname, string address, string agentId) =>
        new(tokenHash, new EndpointRegistration(hostname, [address], "linux", []), agentId, "secret-" + agentId, "1.0.0");
}

public sealed class AgentStoreScenarios_Sqlite : AgentStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class AgentStoreScenarios_Postgres(PostgresClusterFixture cluster) : AgentStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
