using Orchestrator.Core.Runs;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Sqlite;
using Orchestrator.Data.Windows;

namespace Orchestrator.Data.Tests.Runs;

public sealed class SqliteRunStoreTests
{
    [Fact]
    public async Task TwentyConcurrentCreatesOfOneOccurrenceMakeOneRun()
    {
        await using var db = await TempDatabase.CreateAsync();
        var window = await db.CreateWindowAsync("concurrent");
        var store = new SqliteRunStore(db.Database);
        using var gate = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 20).Select(_ => Task.Run(
            async () =>
            {
                gate.Wait(TestContext.Current.CancellationToken);
                return await store.CreateAsync(NewRun(window, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
            },
            TestContext.Current.CancellationToken)).ToList();
        gate.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Run.Id).Distinct());
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM runs"));
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM audit_log WHERE entity = 'run'"));
    }

    [Fact]
    public async Task AnotherOccurrenceOfTheSameWindowIsAnotherRun()
    {
        await using var db = await TempDatabase.CreateAsync();
        var window = await db.CreateWindowAsync("two-occurrences");
        var store = new SqliteRunStore(db.Database);

        var (first, _) = await store.CreateAsync(NewRun(window, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
        var (second, created) = await store.CreateAsync(NewRun(window, "2027-04-14T22:00:00"), "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);

        Assert.True(created);
        Assert.NotEqual(first.Id, second.Id);
    }

    /// <summary>Defence in depth: a window never has two open runs, whatever created the second.</summary>
    [Fact]
    public async Task ARunStartingWhileTheWindowsPreviousRunIsOpenIsRecordedSkippedWithTheReason()
    {
        await using var db = await TempDatabase.CreateAsync();
        var window = await db.CreateWindowAsync("edited-while-running");
        var store = new SqliteRunStore(db.Database);
        var ct = TestContext.Current.CancellationToken;
        var (first, _) = await store.CreateAsync(NewRun(window, "2027-03-09T22:00:00"), "scheduler", db.Time.GetUtcNow(), ct);
        Assert.True(await store.OpenAsync(first.Id, [], "scheduler", db.Time.GetUtcNow(), ct));

        var (second, created) = await store.CreateAsync(NewRun(window, "2027-03-09T23:00:00", TimeSpan.FromHours(1)), "scheduler", db.Time.GetUtcNow(), ct);
        var (atTheEnd, _) = await store.CreateAsync(NewRun(window, "2027-03-10T02:00:00", TimeSpan.FromHours(4)), "scheduler", db.Time.GetUtcNow(), ct);

        Assert.True(created);
        Assert.Equal(RunState.Skipped, second.State);
        Assert.Equal(RunState.Opening, atTheEnd.State);
        Assert.Equal(1, await db.ScalarAsync(
            $"SELECT count(*) FROM audit_log WHERE entity = 'run' AND entity_id = '{second.Id}' AND action = '{SqliteRunStore.SkippedWhileOpenAction}' AND detail LIKE '%run {first.Id} of this window is still open until%'"));
    }

    [Fact]
    public async Task ARunStartsNormallyOnceTheWindowsPreviousRunIsClosed()
    {
        await using var db = await TempDatabase.CreateAsync();
        var window = await db.CreateWindowAsync("closed-early");
        var store = new SqliteRunStore(db.Database);
        var ct = TestContext.Current.CancellationToken;
        var (first, _) = await store.CreateAsync(NewRun(window, "2027-03-09T22:00:00"), "scheduler", db.Time.GetUtcNow(), ct);
        Assert.True(await store.TransitionAsync(first.Id, RunState.Cancelled, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, ct));

        var (second, _) = await store.CreateAsync(NewRun(window, "2027-03-09T23:00:00", TimeSpan.FromHours(1)), "scheduler", db.Time.GetUtcNow(), ct);

        Assert.Equal(RunState.Opening, second.State);
    }

    [Fact]
    public async Task ARepeatedTransitionReturnsFalseAndWritesNoSecondAuditRow()
    {
        await using var db = await TempDatabase.CreateAsync();
        var store = new SqliteRunStore(db.Database);
        var run = await CreateRunAsync(db, store);

        var first = await store.TransitionAsync(run.Id, RunState.Cancelled, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, TestContext.Current.CancellationToken);
        db.Time.Advance(TimeSpan.FromSeconds(5));
        var repeat = await store.TransitionAsync(run.Id, RunState.Cancelled, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, TestContext.Current.CancellationToken);

        Assert.True(first);
        Assert.False(repeat);
        var stored = await store.GetAsync(run.Id, TestContext.Current.CancellationToken);
        Assert.Equal(RunState.Cancelled, stored!.State);
        Assert.Equal(CloseReason.ClosedByOperator, stored.CloseReason);
        Assert.Equal(TempDatabase.Start, stored.ClosedAt);
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM audit_log WHERE entity = 'run' AND entity_id = '{run.Id}' AND action = 'Opening → Cancelled'"));
    }

    [Fact]
    public async Task ATransitionTheStateMachineForbidsChangesNothing()
    {
        await using var db = await TempDatabase.CreateAsync();
        var store = new SqliteRunStore(db.Database);
        var run = await CreateRunAsync(db, store);

        var moved = await store.TransitionAsync(run.Id, RunState.Cutoff, "scheduler", db.Time.GetUtcNow(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(moved);
        Assert.Equal(RunState.Opening, (await store.GetAsync(run.Id, TestContext.Current.CancellationToken))!.State);
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM audit_log WHERE entity = 'run'"));
    }

    [Fact]
    public async Task OpenFreezesTheMembersOnceAndARepeatedOpenChangesNothing()
    {
        await using var db = await TempDatabase.CreateAsync();
        var store = new SqliteRunStore(db.Database);
        var (a, b) = await TwoEndpointsAsync(db);
        var run = await CreateRunAsync(db, store);
        RunMemberRecord[] members =
        [
            new(run.Id, a, "a.example", ["198.18.0.1"]),
            new(run.Id, b, "b.example", ["198.18.0.2"]),
        ];

        var opened = await store.OpenAsync(run.Id, members, "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
        var again = await store.OpenAsync(run.Id, [members[0] with { Addresses = ["198.18.0.99"] }], "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);

        Assert.True(opened);
        Assert.False(again);
        var stored = await store.GetMembersAsync(run.Id, TestContext.Current.CancellationToken);
        Assert.Equal(members, stored, (x, y) => x.EndpointId == y.EndpointId && x.Hostname == y.Hostname
            && x.Addresses.SequenceEqual(y.Addresses));
        // The peer set, once for the run: both members' addresses as one exact range, untouched by the repeated open.
        Assert.Equal("198.18.0.1-198.18.0.2", (await store.GetPeerSetAsync(run.Id, TestContext.Current.CancellationToken))!.Canonical);
        var read = await store.GetAsync(run.Id, TestContext.Current.CancellationToken);
        Assert.Equal(RunState.Open, read!.State);
        Assert.Equal(TempDatabase.Start, read.OpenedAt);
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM audit_log WHERE entity = 'run' AND action = 'Opening → Open'"));
    }

    [Fact]
    public async Task ListFiltersByWindowStateAndTime()
    {
        await using var db = await TempDatabase.CreateAsync();
        var store = new SqliteRunStore(db.Database);
        var one = await db.CreateWindowAsync("one");
        var two = await db.CreateWindowAsync("two");
        var (march, _) = await store.CreateAsync(NewRun(one, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
        var (april, _) = await store.CreateAsync(NewRun(one, "2027-04-14T22:00:00", TimeSpan.FromDays(35)), "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
        var (other, _) = await store.CreateAsync(NewRun(two, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
        await store.TransitionAsync(other.Id, RunState.Missed, "scheduler", db.Time.GetUtcNow(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([april.Id, march.Id], await Ids(new RunQuery(WindowId: one.Id)));
        Assert.Equal([other.Id], await Ids(new RunQuery(State: RunState.Missed)));
        Assert.Equal([april.Id], await Ids(new RunQuery(From: TempDatabase.Start.AddDays(30))));
        Assert.Equal([other.Id, march.Id], await Ids(new RunQuery(To: TempDatabase.Start.AddDays(1))));
        Assert.Equal([march.Id, april.Id], (await store.ListNotFinalAsync(TestContext.Current.CancellationToken)).Select(r => r.Id));

        async Task<long[]> Ids(RunQuery query) => (await store.ListAsync(query, TestContext.Current.CancellationToken)).Select(r => r.Id).ToArray();
    }

    [Fact]
    public async Task AnEndpointThatTookPartInARunCannotBeDeleted()
    {
        await using var db = await TempDatabase.CreateAsync();
        var store = new SqliteRunStore(db.Database);
        var endpoints = new SqliteEndpointStore(db.Database);
        var (a, b) = await TwoEndpointsAsync(db);
        var run = await CreateRunAsync(db, store);
        await store.OpenAsync(run.Id, [new(run.Id, a, "a.example", ["198.18.0.1"])], "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);

        var refused = await Assert.ThrowsAsync<ConflictException>(() => endpoints.DeleteAsync(a, "api", db.Time.GetUtcNow(), TestContext.Current.CancellationToken));

        Assert.Contains("took part in runs", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(await endpoints.GetAsync(a, TestContext.Current.CancellationToken));
        Assert.True(await endpoints.DeleteAsync(b, "api", db.Time.GetUtcNow(), TestContext.Current.CancellationToken));
    }

    /// <summary>Regression: settling before the opening's expiry says Unconfirmed (not "closed by expiry"),
    /// after it ClosedByExpiryUnconfirmed, and a confirmation after the settle is recorded ConfirmedLate.</summary>
    [Fact]
    public async Task SettlingTellsAnExpiredOpeningFromOneStillAheadAndALateConfirmationIsRecordedLate()
    {
        await using var db = await TempDatabase.CreateAsync();
        var store = new SqliteRunStore(db.Database);
        var ct = TestContext.Current.CancellationToken;
        var (a, b) = await TwoEndpointsAsync(db);
        var run = await CreateRunAsync(db, store);
        await store.OpenAsync(run.Id, [new(run.Id, a, "a.example", ["198.18.0.1"]), new(run.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), ct);
        db.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closing, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, ct));
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closed, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, ct));
        await store.AcknowledgeAsync(a, [], db.Time.GetUtcNow(), ct);
        db.Time.Advance(TimeSpan.FromMinutes(1));

        var settled = await store.SettleCloseStatesAsync(run.Id, db.Time.GetUtcNow(), ct);
        db.Time.Advance(TimeSpan.FromMinutes(3));
        await store.AcknowledgeAsync(b, [], db.Time.GetUtcNow(), ct);

        Assert.Equal(new CloseSettlement(1, 0, 1), settled);
        var members = (await store.GetMembersAsync(run.Id, ct)).ToDictionary(m => m.EndpointId);
        Assert.Equal(MemberCloseState.Confirmed, members[a].CloseState);
        Assert.Equal(MemberCloseState.ConfirmedLate, members[b].CloseState);
        Assert.Equal(TempDatabase.Start.AddMinutes(14), members[b].CloseAckedAt);

        var expired = await CreateRunAsync(db, store);
        await store.OpenAsync(expired.Id, [new(expired.Id, a, "a.example", ["198.18.0.1"])], "scheduler", db.Time.GetUtcNow(), ct);
        Assert.Equal(new CloseSettlement(0, 1, 0), await store.SettleCloseStatesAsync(expired.Id, expired.PlannedEnd.AddMinutes(1), ct));
    }

    /// <summary>Regression: a confirmation after the final snapshot changed the member's verdict but the stored snapshot
    /// kept saying "may be open"; the snapshot is dropped so that the next read takes it again.</summary>
    [Fact]
    public async Task ALateConfirmationDropsTheRunsFinalSnapshotSoTheNextReadTakesItAgain()
    {
        await using var db = await TempDatabase.CreateAsync();
        var store = new SqliteRunStore(db.Database);
        var reports = new SqliteRunReportStore(db.Database);
        var ct = TestContext.Current.CancellationToken;
        var (a, b) = await TwoEndpointsAsync(db);
        var run = await CreateRunAsync(db, store);
        await store.OpenAsync(run.Id, [new(run.Id, a, "a.example", ["198.18.0.1"]), new(run.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), ct);
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closing, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, ct));
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closed, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, ct));
        await store.AcknowledgeAsync(a, [], db.Time.GetUtcNow(), ct);
        db.Time.Advance(TimeSpan.FromMinutes(1));
        await store.SettleCloseStatesAsync(run.Id, db.Time.GetUtcNow(), ct);
        await reports.SaveSnapshotAsync(new(run.Id, db.Time.GetUtcNow(), 2, 1, 1, 0, null, "{}"), ct);

        await store.AcknowledgeAsync(a, [], db.Time.GetUtcNow(), ct);
        Assert.NotNull(await reports.GetSnapshotAsync(run.Id, ct));

        await store.AcknowledgeAsync(b, [], db.Time.GetUtcNow(), ct);
        Assert.Null(await reports.GetSnapshotAsync(run.Id, ct));
    }

    /// <summary>The many-endpoint read that precomputes states when a run opens gives each endpoint exactly what the
    /// one-endpoint read gives it: two overlapping open runs, a closed one, and an endpoint in none.</summary>
    [Fact]
    public async Task TheBulkOpenRunsReadAgreesWithTheOneEndpointReadForEveryEndpoint()
    {
        await using var db = await TempDatabase.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var store = new SqliteRunStore(db.Database);
        var (a, b) = await TwoEndpointsAsync(db);
        var first = await CreateRunAsync(db, store);
        var second = await CreateRunAsync(db, store);
        var closed = await CreateRunAsync(db, store);
        await store.OpenAsync(first.Id, [new(first.Id, a, "a.example", ["198.18.0.1"]), new(first.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), ct);
        await store.OpenAsync(second.Id, [new(second.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), ct);
        await store.OpenAsync(closed.Id, [new(closed.Id, a, "a.example", ["198.18.0.1"])], "scheduler", db.Time.GetUtcNow(), ct);
        await store.TransitionAsync(closed.Id, RunState.Closing, "scheduler", db.Time.GetUtcNow(), cancellationToken: ct);

        var bulk = await store.ListOpenForEndpointsAsync([a, b, 999_999], db.Time.GetUtcNow(), ct);

        Assert.Equal([a, b, 999_999], bulk.Keys.Order());
        Assert.Empty(bulk[999_999]);
        foreach (var endpoint in new[] { a, b })
        {
            var one = await store.ListOpenForEndpointAsync(endpoint, db.Time.GetUtcNow(), ct);
            Assert.Equal(one.Select(o => (o.Run.Id, o.Member.EndpointId, string.Join(',', o.Member.Addresses))), bulk[endpoint].Select(o => (o.Run.Id, o.Member.EndpointId, string.Join(',', o.Member.Addresses))));
        }

        Assert.Equal([first.Id], bulk[a].Select(o => o.Run.Id));
        Assert.Equal([first.Id, second.Id], bulk[b].Select(o => o.Run.Id));
    }

    private static NewRun NewRun(WindowRecord window, string key, TimeSpan? later = null)
    {
        var start = TempDatabase.Start + (later ?? TimeSpan.Zero);
        return new(window.Id, window.Definition.Name, key, RunKind.Scheduled, RunState.Opening, start, start.AddHours(4), start.AddHours(3.5), window.Definition);
    }

    private static async Task<RunRecord> CreateRunAsync(TempDatabase db, SqliteRunStore store)
    {
        var window = await db.CreateWindowAsync("w-" + Guid.NewGuid().ToString("N")[..8]);
        return (await store.CreateAsync(NewRun(window, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken)).Run;
    }

    private static async Task<(long A, long B)> TwoEndpointsAsync(TempDatabase db)
    {
        var endpoints = new SqliteEndpointStore(db.Database);
        var (a, _) = await endpoints.UpsertAsync(new EndpointRegistration("a.example", ["198.18.0.1"], "windows", []), "api", "api", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
        var (b, _) = await endpoints.UpsertAsync(new EndpointRegistration("b.example", ["198.18.0.2"], "windows", []), "api", "api", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
        return (a.Id, b.Id);
    }
}
