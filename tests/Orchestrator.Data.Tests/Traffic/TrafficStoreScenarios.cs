using Orchestrator.Core.Runs;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Tests.Backends;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Tests.Traffic;

/// <summary>
/// The report writer keeps its connection, its compiled statements and the parsed peer sets from one batch to the
/// next; these pin that what it keeps never outlives what it was read from.
/// </summary>
public abstract class TrafficStoreScenarios : StoreScenarios
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    /// <summary>Attribution reads the run's peer set (once per run), not a list per member: a peer is the run's when it
    /// is in the set and is not one of the reporter's own addresses.</summary>
    [Fact]
    public async Task APeerIsTheRunsWhenItIsInTheRunsPeerSetAndNotTheReportersOwnAddress()
    {
        await using var db = await NewBackendAsync();
        var (run, a, b) = await OpenRunAsync(db);
        var store = db.Traffic;

        Assert.True(await store.StoreAsync(Report(a, "r1", "198.18.0.2"), db.Time.GetUtcNow(), Grace, Ct));
        Assert.Equal(run, await db.ScalarAsync("SELECT run_id FROM peer_traffic WHERE id = (SELECT max(id) FROM peer_traffic)"));
        Assert.Equal(b, await db.ScalarAsync("SELECT peer_endpoint_id FROM peer_traffic WHERE id = (SELECT max(id) FROM peer_traffic)"));

        // Its own address is in the set but not on its allow-list; an address next to the set's range is no member's.
        foreach (var (id, peer) in new[] { ("r2", "198.18.0.1"), ("r3", "198.18.0.3"), ("r4", "not-an-address") })
        {
            Assert.True(await store.StoreAsync(Report(a, id, peer), db.Time.GetUtcNow(), Grace, Ct));
            Assert.Equal(-1, await db.ScalarAsync("SELECT coalesce(run_id, -1) FROM peer_traffic WHERE id = (SELECT max(id) FROM peer_traffic)"));
        }

        Assert.True(await store.StoreAsync(Report(b, "r5", "198.18.0.1"), db.Time.GetUtcNow(), Grace, Ct));
        Assert.Equal(run, await db.ScalarAsync("SELECT run_id FROM peer_traffic WHERE id = (SELECT max(id) FROM peer_traffic)"));
    }

    [Fact]
    public async Task AnAcknowledgementInAReportMarksTheHeldRunOpenAndTheOthersClosed()
    {
        await using var db = await NewBackendAsync();
        var (run, a, _) = await OpenRunAsync(db);
        var store = db.Traffic;

        await store.StoreAsync(Report(a, "ack-open", acknowledge: [run]), db.Time.GetUtcNow(), Grace, Ct);
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM run_members WHERE run_id = {run} AND endpoint_id = {a} AND open_acked_at IS NOT NULL AND close_acked_at IS NULL"));

        // After the planned end the agent holds nothing: the same prepared statements record the close.
        db.Time.Advance(TimeSpan.FromHours(5));
        await store.StoreAsync(Report(a, "ack-close", acknowledge: []), db.Time.GetUtcNow(), Grace, Ct);
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM run_members WHERE run_id = {run} AND endpoint_id = {a} AND close_acked_at IS NOT NULL"));
    }

    [Fact]
    public async Task AReportThatFailsDoesNotBreakTheWriterForTheNextOnes()
    {
        await using var db = await NewBackendAsync();
        var (run, a, _) = await OpenRunAsync(db);
        var store = db.Traffic;

        // A row without an address breaks a NOT NULL constraint: the report fails alone, in a rolled-back transaction.
        var bad = Report(a, "bad") with { Traffic = [new PeerBytes(null!, 1, 1)] };
        await Assert.ThrowsAnyAsync<Exception>(() => store.StoreAsync(bad, db.Time.GetUtcNow(), Grace, Ct));

        Assert.True(await store.StoreAsync(Report(a, "good", "198.18.0.2"), db.Time.GetUtcNow(), Grace, Ct));
        Assert.False(await store.StoreAsync(Report(a, "good", "198.18.0.2"), db.Time.GetUtcNow(), Grace, Ct));
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM peer_traffic WHERE run_id = {run}"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM agent_reports WHERE report_id = 'bad'"));
    }

    [Fact]
    public async Task ReportIdsAreForgottenAfterTheirRetentionSoTheTableStaysBounded()
    {
        await using var db = await NewBackendAsync();
        var (_, a, _) = await OpenRunAsync(db);
        var store = db.Traffic;
        var start = db.Time.GetUtcNow();

        Assert.True(await store.StoreAsync(Report(a, "old"), start, Grace, Ct));
        Assert.False(await store.StoreAsync(Report(a, "old"), start.AddHours(23), Grace, Ct));
        Assert.True(await store.StoreAsync(Report(a, "new"), start + ITrafficStore.ReportIdRetention + TimeSpan.FromMinutes(2), Grace, Ct));

        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM agent_reports WHERE report_id = 'old'"));
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM agent_reports WHERE report_id = 'new'"));
    }

    [Fact]
    public async Task RowsOutsideEveryRunAreKeptUpToTheirBoundPerEndpointNewestFirst()
    {
        await using var db = await NewBackendAsync();
        var (_, _, b) = await OpenRunAsync(db);
        // An endpoint in no run: every row it reports belongs to none.
        var (outside, _) = await db.Endpoints.UpsertAsync(
            new EndpointRegistration("c.example", ["198.18.0.3"], "linux", []), "api", "api", db.Time.GetUtcNow(), Ct);
        var a = outside.Id;
        var store = db.Traffic;
        var rows = Enumerable.Range(0, 700).Select(i => new PeerBytes($"198.19.{i / 250}.{(i % 250) + 1}", i, 0)).ToList();
        var blocked = Enumerable.Range(0, 700).Select(i => new BlockedCount($"198.19.{i / 250}.{(i % 250) + 1}", 7680, i + 1)).ToList();

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await store.StoreAsync(new AgentReport("agent-a", a, $"r{i}", rows, blocked, []), db.Time.GetUtcNow(), Grace, Ct));
        }

        // Another endpoint's rows outside runs are its own, and not pruned by these.
        Assert.True(await store.StoreAsync(new AgentReport("agent-b", b, "b1", [new PeerBytes("198.19.9.9", 1, 1)], [], []), db.Time.GetUtcNow(), Grace, Ct));

        Assert.Equal(ITrafficStore.MaxRowsOutsideRunsPerEndpoint, await db.ScalarAsync($"SELECT count(*) FROM peer_traffic WHERE run_id IS NULL AND endpoint_id = {a}"));
        Assert.Equal(ITrafficStore.MaxRowsOutsideRunsPerEndpoint, await db.ScalarAsync($"SELECT count(*) FROM blocked_attempts WHERE run_id IS NULL AND endpoint_id = {a}"));
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM peer_traffic WHERE run_id IS NULL AND endpoint_id = {b}"));
        // The newest are kept: all 700 rows of the last report.
        Assert.Equal(700, await db.ScalarAsync($"SELECT count(*) FROM peer_traffic WHERE run_id IS NULL AND endpoint_id = {a} AND id > (SELECT max(id) - 700 FROM peer_traffic WHERE endpoint_id = {a})"));
    }

    private static AgentReport Report(long endpointId, string id, string? peer = null, IReadOnlyCollection<long>? acknowledge = null) =>
        new("agent-a", endpointId, id, peer is null ? [] : [new PeerBytes(peer, 100, 10)], [], [], null, acknowledge);

    private static async Task<(long Run, long A, long B)> OpenRunAsync(StoreBackend db)
    {
        var endpoints = db.Endpoints;
        var (a, _) = await endpoints.UpsertAsync(new EndpointRegistration("a.example", ["198.18.0.1"], "windows", []), "api", "api", db.Time.GetUtcNow(), Ct);
        var (b, _) = await endpoints.UpsertAsync(new EndpointRegistration("b.example", ["198.18.0.2"], "windows", []), "api", "api", db.Time.GetUtcNow(), Ct);
        var window = await db.CreateWindowAsync("traffic");
        var runs = db.Runs;
        var start = StoreBackend.Start;
        var (run, _) = await runs.CreateAsync(
            new NewRun(window.Id, window.Definition.Name, "2027-03-09T22:00:00", RunKind.Scheduled, RunState.Opening, start, start.AddHours(4), start.AddHours(3.5), window.Definition),
            "scheduler", db.Time.GetUtcNow(), Ct);
        Assert.True(await runs.OpenAsync(
            run.Id,
            [new(run.Id, a.Id, "a.example", ["198.18.0.1"]), new(run.Id, b.Id, "b.example", ["198.18.0.2"])],
            "scheduler", db.Time.GetUtcNow(), Ct));
        db.Time.Advance(TimeSpan.FromMinutes(1));
        return (run.Id, a.Id, b.Id);
    }
}

public sealed class TrafficStoreScenarios_Sqlite : TrafficStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class TrafficStoreScenarios_Postgres(PostgresClusterFixture cluster) : TrafficStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
