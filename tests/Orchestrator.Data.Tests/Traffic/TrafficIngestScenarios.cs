using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Tests.Backends;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Tests.Traffic;

/// <summary>What the report writer promises whatever the backend and however reports arrive together: a report id is
/// stored once, reports of one endpoint count in arrival order, and what it sums never overflows.</summary>
public abstract class TrafficIngestScenarios : StoreScenarios
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task TwentyConcurrentCopiesOfOneReportAreStoredOnce()
    {
        await using var db = await NewBackendAsync();
        var (run, a, _) = await db.OpenRunOfTwoAsync();
        var report = new AgentReport("agent-a", a, "retried", [new PeerBytes("198.18.0.2", 100, 10), new PeerBytes("198.18.0.2", 5, 0)], [new BlockedCount("198.18.0.2", 7680, 3)], []);
        using var gate = new ManualResetEventSlim();

        var copies = Enumerable.Range(0, 20).Select(_ => Task.Run(
            async () =>
            {
                gate.Wait(Ct);
                return await db.Traffic.StoreAsync(report, db.Time.GetUtcNow(), Grace, Ct);
            },
            Ct)).ToList();
        gate.Set();

        Assert.Single(await Task.WhenAll(copies), stored => stored);
        var traffic = await db.Traffic.GetRunTrafficAsync(run, Ct);
        Assert.Equal(105, Assert.Single(traffic.Transfers).Bytes);
        Assert.Equal(3, Assert.Single(traffic.Blocked).Count);
    }

    /// <summary>Reports queued together are written together, yet a later report of an endpoint sees what an earlier one
    /// recorded: blocked counts after the run's end count for it until the report acknowledging the close, not after.</summary>
    [Fact]
    public async Task BlockedCountsAfterTheEndCountForTheRunUntilTheReportAcknowledgingTheCloseEvenInOneBatch()
    {
        await using var db = await NewBackendAsync();
        var (run, a, _) = await db.OpenRunOfTwoAsync();
        db.Time.Advance(TimeSpan.FromHours(4));
        var now = db.Time.GetUtcNow();

        var writes = new[]
        {
            db.Traffic.StoreAsync(new AgentReport("agent-a", a, "last-counters", [], [new BlockedCount("198.18.0.2", 7680, 1)], []), now, Grace, Ct),
            db.Traffic.StoreAsync(new AgentReport("agent-a", a, "close-ack", [], [new BlockedCount("198.18.0.2", 7680, 2)], [], null, []), now, Grace, Ct),
            db.Traffic.StoreAsync(new AgentReport("agent-a", a, "after-close", [], [new BlockedCount("198.18.0.2", 7680, 4)], []), now, Grace, Ct),
        };

        Assert.All(await Task.WhenAll(writes), Assert.True);
        Assert.Equal(3, Assert.Single((await db.Traffic.GetRunTrafficAsync(run, Ct)).Blocked).Count);
        Assert.Equal(4, await db.ScalarAsync("SELECT sum(count) FROM blocked_attempts WHERE run_id IS NULL"));
        Assert.NotNull(Assert.Single(await db.Runs.GetMembersAsync(run, Ct), m => m.EndpointId == a).CloseAckedAt);
    }

    [Fact]
    public async Task SumsOfCountersPastTheLongRangeSaturateInsteadOfFailingTheRead()
    {
        await using var db = await NewBackendAsync();
        var (run, a, b) = await db.OpenRunOfTwoAsync();
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await db.Traffic.StoreAsync(
                new AgentReport("agent-a", a, $"huge-{i}", [new PeerBytes("198.18.0.2", long.MaxValue, long.MaxValue)], [new BlockedCount("198.18.0.2", 7680, long.MaxValue)], []),
                db.Time.GetUtcNow(), Grace, Ct));
        }

        var traffic = await db.Traffic.GetRunTrafficAsync(run, Ct);
        Assert.Equal((a, "198.18.0.1", b, "b.example", long.MaxValue), Assert.Single(traffic.Transfers) is var t ? (t.ServingEndpointId, t.ServingAddress, t.ReceivingEndpointId, t.ReceivingHostname, t.Bytes) : default);
        Assert.Equal((b, "b.example", long.MaxValue), Assert.Single(traffic.Blocked) is var x ? (x.SourceEndpointId, x.SourceHostname, x.Count) : default);
        var facts = await db.Reports.GetFactsAsync(run, Ct);
        Assert.Equal((long.MaxValue, long.MaxValue), facts.Members.Single(m => m.EndpointId == a) is var m ? (m.BytesServed, m.BytesReceived) : default);
        Assert.Equal(long.MaxValue, Assert.Single(await db.Reports.GetTransfersAsync(run, 0, 10, Ct)).Bytes);
    }

    /// <summary>The agent's applied state is recorded with its report, and with a retried (duplicate) report too.</summary>
    [Fact]
    public async Task TheAppliedStateIsRecordedWithTheReportAndWithADuplicateToo()
    {
        await using var db = await NewBackendAsync();
        var t0 = db.Time.GetUtcNow();
        await db.Agents.CreateTokenAsync("t", "hash", singleUse: false, t0.AddHours(1), new EnrollmentScope(null, null, []), "alice", t0, Ct);
        var agent = (await db.Agents.EnrollAsync(new Enrollment("hash", new EndpointRegistration("x.example", ["198.18.4.1"], "linux", []), "agent-x", "s", "1.0"), t0, Ct)).Agent!;

        Assert.True(await db.Traffic.StoreAsync(new AgentReport("agent-x", agent.EndpointId, "r1", [], [], [], new AppliedState(7, null)), t0.AddMinutes(1), Grace, Ct));
        Assert.False(await db.Traffic.StoreAsync(new AgentReport("agent-x", agent.EndpointId, "r1", [], [], [], new AppliedState(null, "nft failed")), t0.AddMinutes(2), Grace, Ct));

        var stored = await db.Agents.GetAsync("agent-x", Ct);
        Assert.Equal((7L, "nft failed", t0.AddMinutes(2)), (stored!.AppliedVersion, stored.ApplyError, stored.LastSeenAt));
    }
}

public sealed class TrafficIngestScenarios_Sqlite : TrafficIngestScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class TrafficIngestScenarios_Postgres(PostgresClusterFixture cluster) : TrafficIngestScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
