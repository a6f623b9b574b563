using Orchestrator.Core.Runs;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Tests.Traffic;

/// <summary>
/// The report writer keeps its connection, its compiled statements and the parsed allow-lists from one batch to the
/// next; these pin that what it keeps never outlives what it was read from.
/// </summary>
public sealed class SqliteTrafficStoreTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task AChangedAllowListIsReadAgainAtTheNextReport()
    {
        await using var db = await TempDatabase.CreateAsync();
        var (run, a, b) = await OpenRunAsync(db);
        var store = new SqliteTrafficStore(db.Database);

        Assert.True(await store.StoreAsync(Report(a, "r1", "198.18.0.2"), db.Time.GetUtcNow(), Grace, TestContext.Current.CancellationToken));
        Assert.Equal(run, await db.ScalarAsync("SELECT run_id FROM peer_traffic WHERE id = (SELECT max(id) FROM peer_traffic)"));
        Assert.Equal(b, await db.ScalarAsync("SELECT peer_endpoint_id FROM peer_traffic WHERE id = (SELECT max(id) FROM peer_traffic)"));

        await db.ScalarAsync($"UPDATE run_members SET allowed_peers = '[]' WHERE run_id = {run} AND endpoint_id = {a} RETURNING 0");
        Assert.True(await store.StoreAsync(Report(a, "r2", "198.18.0.2"), db.Time.GetUtcNow(), Grace, TestContext.Current.CancellationToken));
        Assert.Equal(-1, await db.ScalarAsync("SELECT coalesce(run_id, -1) FROM peer_traffic WHERE id = (SELECT max(id) FROM peer_traffic)"));

        await db.ScalarAsync($"UPDATE run_members SET allowed_peers = '[\"198.18.0.2\"]' WHERE run_id = {run} AND endpoint_id = {a} RETURNING 0");
        Assert.True(await store.StoreAsync(Report(a, "r3", "198.18.0.2"), db.Time.GetUtcNow(), Grace, TestContext.Current.CancellationToken));
        Assert.Equal(run, await db.ScalarAsync("SELECT run_id FROM peer_traffic WHERE id = (SELECT max(id) FROM peer_traffic)"));
    }

    [Fact]
    public async Task AnAcknowledgementInAReportMarksTheHeldRunOpenAndTheOthersClosed()
    {
        await using var db = await TempDatabase.CreateAsync();
        var (run, a, _) = await OpenRunAsync(db);
        var store = new SqliteTrafficStore(db.Database);

        await store.StoreAsync(Report(a, "ack-open", acknowledge: [run]), db.Time.GetUtcNow(), Grace, TestContext.Current.CancellationToken);
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM run_members WHERE run_id = {run} AND endpoint_id = {a} AND open_acked_at IS NOT NULL AND close_acked_at IS NULL"));

        // After the planned end the agent holds nothing: the same prepared statements record the close.
        db.Time.Advance(TimeSpan.FromHours(5));
        await store.StoreAsync(Report(a, "ack-close", acknowledge: []), db.Time.GetUtcNow(), Grace, TestContext.Current.CancellationToken);
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM run_members WHERE run_id = {run} AND endpoint_id = {a} AND close_acked_at IS NOT NULL"));
    }

    [Fact]
    public async Task AReportThatFailsDoesNotBreakTheWriterForTheNextOnes()
    {
        await using var db = await TempDatabase.CreateAsync();
        var (run, a, _) = await OpenRunAsync(db);
        var store = new SqliteTrafficStore(db.Database);

        // A row without an address breaks a NOT NULL constraint: the report fails alone, in a rolled-back transaction.
        var bad = Report(a, "bad") with { Traffic = [new PeerBytes(null!, 1, 1)] };
        await Assert.ThrowsAnyAsync<Exception>(() => store.StoreAsync(bad, db.Time.GetUtcNow(), Grace, TestContext.Current.CancellationToken));

        Assert.True(await store.StoreAsync(Report(a, "good", "198.18.0.2"), db.Time.GetUtcNow(), Grace, TestContext.Current.CancellationToken));
        Assert.False(await store.StoreAsync(Report(a, "good", "198.18.0.2"), db.Time.GetUtcNow(), Grace, TestContext.Current.CancellationToken));
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM peer_traffic WHERE run_id = {run}"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM agent_reports WHERE report_id = 'bad'"));
    }

    private static AgentReport Report(long endpointId, string id, string? peer = null, IReadOnlyCollection<long>? acknowledge = null) =>
        new("agent-a", endpointId, id, peer is null ? [] : [new PeerBytes(peer, 100, 10)], [], [], null, acknowledge);

    private static async Task<(long Run, long A, long B)> OpenRunAsync(TempDatabase db)
    {
        var ct = TestContext.Current.CancellationToken;
        var endpoints = new SqliteEndpointStore(db.Database);
        var (a, _) = await endpoints.UpsertAsync(new EndpointRegistration("a.example", ["198.18.0.1"], "windows", []), "api", "api", db.Time.GetUtcNow(), ct);
        var (b, _) = await endpoints.UpsertAsync(new EndpointRegistration("b.example", ["198.18.0.2"], "windows", []), "api", "api", db.Time.GetUtcNow(), ct);
        var window = await db.CreateWindowAsync("traffic");
        var runs = new SqliteRunStore(db.Database);
        var start = TempDatabase.Start;
        var (run, _) = await runs.CreateAsync(
            new NewRun(window.Id, window.Definition.Name, "2027-03-09T22:00:00", RunKind.Scheduled, RunState.Opening, start, start.AddHours(4), start.AddHours(3.5), window.Definition),
            "scheduler", db.Time.GetUtcNow(), ct);
        Assert.True(await runs.OpenAsync(
            run.Id,
            [new(run.Id, a.Id, "a.example", ["198.18.0.1"], ["198.18.0.2"]), new(run.Id, b.Id, "b.example", ["198.18.0.2"], ["198.18.0.1"])],
            "scheduler", db.Time.GetUtcNow(), ct));
        db.Time.Advance(TimeSpan.FromMinutes(1));
        return (run.Id, a.Id, b.Id);
    }
}
