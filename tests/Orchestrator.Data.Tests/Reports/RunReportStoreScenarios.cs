using Orchestrator.Core.Endpoints;
using Orchestrator.Core.Reports;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Agents;
using Orchestrator.Data.DeliveryOptimization;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Scans;
using Orchestrator.Data.Tests.Backends;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Tests.Reports;

/// <summary>
/// What a run's report is built from: its members' scans (dispatched once, tallied with their timeout), the traffic its
/// members reported, Delivery Optimization's figures, and the stored snapshot.
/// </summary>
public abstract class RunReportStoreScenarios : StoreScenarios
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task AScanIsDispatchedOncePerMemberWithAnAgentAndTalliedByItsOutcomeOrItsTimeout()
    {
        await using var db = await NewBackendAsync();
        var (run, a, b, c) = await OpenRunAsync(db);
        var now = db.Time.GetUtcNow();

        Assert.Equal([a, b], await db.Scans.ListUndispatchedAsync(run, Ct));
        Assert.Equal([a, b], await db.Scans.DispatchAsync(run, [a, b], 60, now, Ct));
        Assert.Empty(await db.Scans.DispatchAsync(run, [a, b], 60, now, Ct));
        Assert.Empty(await db.Scans.ListUndispatchedAsync(run, Ct));
        var pending = Assert.Single(await db.Scans.ListPendingAsync(a, Ct));
        Assert.Equal((run, a, 60, now), (pending.RunId, pending.EndpointId, pending.TimeoutSeconds, pending.DispatchedAt));
        var bulk = await db.Scans.ListPendingForEndpointsAsync([a, b, c], Ct);
        Assert.Equal([a, b], bulk.Keys.Order());
        Assert.Equal(new ScanTally(2, 2, 0, 0), await db.Scans.TallyAsync(run, now, Grace, Ct));

        Assert.True(await db.Traffic.StoreAsync(
            new AgentReport("agent-a", a, "scan-a", [], [], [new ScanResult(pending.ScanId, "Succeeded", 0, 1_200)]), now, Grace, Ct));

        Assert.Empty(await db.Scans.ListPendingAsync(a, Ct));
        Assert.Equal(new ScanTally(2, 1, 1, 0), await db.Scans.TallyAsync(run, now, Grace, Ct));
        // b never answers: once its timeout and the grace have passed it counts as failed.
        Assert.Equal(new ScanTally(2, 0, 1, 1), await db.Scans.TallyAsync(run, now + TimeSpan.FromSeconds(60) + Grace, Grace, Ct));
        var facts = (await db.Reports.GetFactsAsync(run, Ct)).Members.ToDictionary(m => m.EndpointId);
        Assert.Equal("Succeeded", facts[a].Scan!.Outcome);
        Assert.Null(facts[b].Scan!.Outcome);
        Assert.Null(facts[c].Scan);

        // A run that is no longer open hands out no scan.
        Assert.True(await db.Runs.TransitionAsync(run, RunState.Closing, "scheduler", now, cancellationToken: Ct));
        Assert.Empty(await db.Scans.ListPendingAsync(b, Ct));
    }

    [Fact]
    public async Task TheFactsSumEachMembersTrafficAndTheTransfersListEachPairOnce()
    {
        await using var db = await NewBackendAsync();
        var (run, a, b, _) = await OpenRunAsync(db);
        var now = db.Time.GetUtcNow();

        Assert.True(await db.Traffic.StoreAsync(new AgentReport("agent-a", a, "a1", [new PeerBytes("198.18.0.2", 1_000, 10)], [], []), now, Grace, Ct));
        Assert.True(await db.Traffic.StoreAsync(new AgentReport("agent-a", a, "a2", [new PeerBytes("198.18.0.2", 500, 5)], [], []), now, Grace, Ct));
        Assert.True(await db.Traffic.StoreAsync(
            new AgentReport("agent-b", b, "b1", [new PeerBytes("198.18.0.1", 70, 1_400)], [new BlockedCount("198.18.9.9", 7680, 3)], []), now, Grace, Ct));

        var facts = await db.Reports.GetFactsAsync(run, Ct);
        var members = facts.Members.ToDictionary(m => m.EndpointId);
        Assert.Equal((1_500L, 15L), (members[a].BytesServed, members[a].BytesReceived));
        Assert.Equal((70L, 1_400L), (members[b].BytesServed, members[b].BytesReceived));
        Assert.Equal(3, Assert.Single(facts.Blocked).Count);
        var transfers = await db.Reports.GetTransfersAsync(run, 0, 10, Ct);
        Assert.Equal(
            [(a, "198.18.0.2", (long?)b, 1_500L), (b, "198.18.0.1", a, 70L)],
            transfers.Select(t => (t.ServingEndpointId, t.PeerAddress, t.ReceivingEndpointId, t.Bytes)));
        Assert.Equal(transfers, await db.Reports.StreamTransfersAsync(run, Ct).ToListAsync(Ct));
        Assert.Equal(2, (await db.Traffic.GetRunTrafficAsync(run, Ct)).Transfers.Count);
    }

    [Fact]
    public async Task DeliveryOptimizationFiguresCountOncePerReportAndNameThePeersThatAreMembers()
    {
        await using var db = await NewBackendAsync();
        var (run, a, b, _) = await OpenRunAsync(db);
        var now = db.Time.GetUtcNow();
        var bytes = new DeliveryOptimizationBytes(100, 900, 900, 0, 0, 0, 300, 0, 0);

        Assert.Equal(run, await db.DeliveryOptimization.StoreAsync(
            new(a, "do-1", bytes, [new PeerBytes("198.18.0.2", 300, 900), new PeerBytes("203.0.113.7", 0, 5)]), now, Grace, Ct));
        Assert.Null(await db.DeliveryOptimization.StoreAsync(new(a, "do-1", bytes, []), now, Grace, Ct));
        Assert.Equal(run, await db.DeliveryOptimization.StoreAsync(new(a, "do-2", bytes, []), now, Grace, Ct));
        // Long after the run: belongs to no run, stored nowhere.
        Assert.Null(await db.DeliveryOptimization.StoreAsync(new(b, "do-3", bytes, []), now.AddDays(2), Grace, Ct));

        var figures = await db.DeliveryOptimization.GetRunAsync(run, 10, Ct);
        Assert.Equal(new DeliveryOptimizationBytes(200, 1_800, 1_800, 0, 0, 0, 600, 0, 0), figures.Members[a]);
        Assert.DoesNotContain(b, figures.Members.Keys);
        Assert.Equal([a, b], figures.WindowsMembers.Order());
        Assert.Equal(2, figures.PeerRows);
        Assert.Equal(
            [("198.18.0.2", (long?)b, true), ("203.0.113.7", null, false)],
            figures.Peers.Select(p => (p.PeerAddress, p.PeerEndpointId, p.InRun)));
        Assert.Single((await db.DeliveryOptimization.GetRunAsync(run, 1, Ct)).Peers);
    }

    [Fact]
    public async Task ASnapshotIsKeptOncePerRunAndItsFiguresListedPerWindow()
    {
        await using var db = await NewBackendAsync();
        var (run, _, _, _) = await OpenRunAsync(db);
        var now = db.Time.GetUtcNow();
        var windowId = (await db.Runs.GetAsync(run, Ct))!.WindowId;

        Assert.Null(await db.Reports.GetSnapshotAsync(run, Ct));
        await db.Reports.SaveSnapshotAsync(new(run, now, 3, 1, 0, 1_000, null, """{"first":true}"""), Ct);
        await db.Reports.SaveSnapshotAsync(new(run, now.AddMinutes(1), 3, 2, 1, 2_000, 50, """{"second":true}"""), Ct);

        Assert.Equal(new RunReportSnapshot(run, now.AddMinutes(1), 3, 2, 1, 2_000, 50, """{"second":true}"""), await db.Reports.GetSnapshotAsync(run, Ct));
        var listed = Assert.Single(await db.Reports.ListSnapshotFiguresAsync(windowId, Ct));
        Assert.Equal((run, 2, 2_000L, (long?)50), (listed.RunId, listed.Anomalies, listed.BytesFromPeers, listed.BytesFromHttp));
        Assert.Empty(await db.Reports.ListSnapshotFiguresAsync(windowId + 1, Ct));
    }

    [Fact]
    public async Task AReportsAlertIsClaimedOnceAndARunsReportIsPendingUntilItsSnapshotAndAnyCriticalAlertAreStored()
    {
        await using var db = await NewBackendAsync();
        var (run, _, _, _) = await OpenRunAsync(db);
        var (other, _, _) = await db.OpenRunOfTwoAsync();
        var now = db.Time.GetUtcNow();

        Assert.Equal([run, other], await db.Reports.ListReportsPendingAsync([run, other], Ct));
        await db.Reports.SaveSnapshotAsync(new(run, now, 3, 1, 0, 0, null, "{}"), Ct);
        await db.Reports.SaveSnapshotAsync(new(other, now, 3, 2, 1, 0, null, "{}"), Ct);
        // A snapshot without a critical anomaly has nothing to send; one with a critical anomaly waits for its alert.
        Assert.Equal([other], await db.Reports.ListReportsPendingAsync([run, other], Ct));

        var first = await db.Reports.RecordReportAlertAsync(other, now, Ct);
        var again = await db.Reports.RecordReportAlertAsync(other, now.AddMinutes(1), Ct);
        // The claim outlives the snapshot (a late close confirmation deletes it to have the report taken again).
        await db.Reports.SaveSnapshotAsync(new(other, now.AddMinutes(2), 3, 2, 1, 0, null, "{}"), Ct);

        Assert.True(first);
        Assert.False(again);
        Assert.Empty(await db.Reports.ListReportsPendingAsync([run, other], Ct));
        Assert.Empty(await db.Reports.ListReportsPendingAsync([], Ct));
    }

    /// <summary>An open run of a and b (Windows, enrolled agents) and c (registered, no agent).</summary>
    private static async Task<(long Run, long A, long B, long C)> OpenRunAsync(StoreBackend db)
    {
        var now = db.Time.GetUtcNow();
        await db.Agents.CreateTokenAsync("site", "hash-site", false, now.AddDays(1), new EnrollmentScope(null, null, []), "admin", now, Ct);
        var a = (await db.Agents.EnrollAsync(new Enrollment("hash-site", new EndpointRegistration("a.example", ["198.18.0.1"], "windows", []), "agent-a", "s", "1.0.0"), now, Ct)).Agent!.EndpointId;
        var b = (await db.Agents.EnrollAsync(new Enrollment("hash-site", new EndpointRegistration("b.example", ["198.18.0.2"], "windows", []), "agent-b", "s", "1.0.0"), now, Ct)).Agent!.EndpointId;
        var (c, _) = await db.Endpoints.UpsertAsync(new EndpointRegistration("c.example", ["198.18.0.3"], "linux", []), "api", "api", now, Ct);
        var window = await db.CreateWindowAsync("reports");
        var start = StoreBackend.Start;
        var (run, _) = await db.Runs.CreateAsync(
            new NewRun(window.Id, window.Definition.Name, "2027-03-09T22:00:00", RunKind.Scheduled, RunState.Opening, start, start.AddHours(4), start.AddHours(3.5), window.Definition),
            "scheduler", now, Ct);
        Assert.True(await db.Runs.OpenAsync(
            run.Id,
            [new(run.Id, a, "a.example", ["198.18.0.1"]), new(run.Id, b, "b.example", ["198.18.0.2"]), new(run.Id, c.Id, "c.example", ["198.18.0.3"])],
            "scheduler", now, Ct));
        db.Time.Advance(TimeSpan.FromMinutes(1));
        return (run.Id, a, b, c.Id);
    }
}

public sealed class RunReportStoreScenarios_Sqlite : RunReportStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class RunReportStoreScenarios_Postgres(PostgresClusterFixture cluster) : RunReportStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
