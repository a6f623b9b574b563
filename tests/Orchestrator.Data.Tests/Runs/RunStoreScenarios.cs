using Orchestrator.Core.Runs;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Tests.Backends;
using Orchestrator.Data.Windows;

namespace Orchestrator.Data.Tests.Runs;

public abstract class RunStoreScenarios : StoreScenarios
{
    [Fact]
    public async Task TwentyConcurrentCreatesOfOneOccurrenceMakeOneRun()
    {
        await using var db = await NewBackendAsync();
        var window = await db.CreateWindowAsync("concurrent");
        var store = db.Runs;
        using var gate = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 20).Select(_ => Task.Run(
            async () =>
            {
                gate.Wait(Ct);
                return await store.CreateAsync(NewRun(window, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct);
            },
            Ct)).ToList();
        gate.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Run.Id).Distinct());
        Assert.Single(await store.ListAsync(new RunQuery(), Ct));
        Assert.Single(await RunAuditAsync(db));
    }

    [Fact]
    public async Task AnotherOccurrenceOfTheSameWindowIsAnotherRun()
    {
        await using var db = await NewBackendAsync();
        var window = await db.CreateWindowAsync("two-occurrences");
        var store = db.Runs;

        var (first, _) = await store.CreateAsync(NewRun(window, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct);
        var (second, created) = await store.CreateAsync(NewRun(window, "2027-04-14T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct);

        Assert.True(created);
        Assert.NotEqual(first.Id, second.Id);
    }

    /// <summary>Defence in depth: a window never has two open runs, whatever created the second.</summary>
    [Fact]
    public async Task ARunStartingWhileTheWindowsPreviousRunIsOpenIsRecordedSkippedWithTheReason()
    {
        await using var db = await NewBackendAsync();
        var window = await db.CreateWindowAsync("edited-while-running");
        var store = db.Runs;
        var (first, _) = await store.CreateAsync(NewRun(window, "2027-03-09T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct);
        Assert.True(await store.OpenAsync(first.Id, [], "scheduler", db.Time.GetUtcNow(), Ct));

        var (second, created) = await store.CreateAsync(NewRun(window, "2027-03-09T23:00:00", TimeSpan.FromHours(1)), "scheduler", db.Time.GetUtcNow(), Ct);
        var (atTheEnd, _) = await store.CreateAsync(NewRun(window, "2027-03-10T02:00:00", TimeSpan.FromHours(4)), "scheduler", db.Time.GetUtcNow(), Ct);

        Assert.True(created);
        Assert.Equal(RunState.Skipped, second.State);
        Assert.Equal(RunState.Opening, atTheEnd.State);
        var skipped = Assert.Single(await RunAuditAsync(db, second.Id), e => e.Action == SkippedWhileOpenAction);
        Assert.Contains($"run {first.Id} of this window is still open until", skipped.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunStartsNormallyOnceTheWindowsPreviousRunIsClosed()
    {
        await using var db = await NewBackendAsync();
        var window = await db.CreateWindowAsync("closed-early");
        var store = db.Runs;
        var (first, _) = await store.CreateAsync(NewRun(window, "2027-03-09T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct);
        Assert.True(await store.TransitionAsync(first.Id, RunState.Cancelled, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct));

        var (second, _) = await store.CreateAsync(NewRun(window, "2027-03-09T23:00:00", TimeSpan.FromHours(1)), "scheduler", db.Time.GetUtcNow(), Ct);

        Assert.Equal(RunState.Opening, second.State);
    }

    [Fact]
    public async Task ARepeatedTransitionReturnsFalseAndWritesNoSecondAuditRow()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var run = await CreateRunAsync(db, store);

        var first = await store.TransitionAsync(run.Id, RunState.Cancelled, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct);
        db.Time.Advance(TimeSpan.FromSeconds(5));
        var repeat = await store.TransitionAsync(run.Id, RunState.Cancelled, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct);

        Assert.True(first);
        Assert.False(repeat);
        var stored = await store.GetAsync(run.Id, Ct);
        Assert.Equal(RunState.Cancelled, stored!.State);
        Assert.Equal(CloseReason.ClosedByOperator, stored.CloseReason);
        Assert.Equal(StoreBackend.Start, stored.ClosedAt);
        Assert.Single(await RunAuditAsync(db, run.Id), e => e.Action == "Opening → Cancelled");
    }

    [Fact]
    public async Task ATransitionTheStateMachineForbidsChangesNothing()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var run = await CreateRunAsync(db, store);

        var moved = await store.TransitionAsync(run.Id, RunState.Cutoff, "scheduler", db.Time.GetUtcNow(), cancellationToken: Ct);

        Assert.False(moved);
        Assert.Equal(RunState.Opening, (await store.GetAsync(run.Id, Ct))!.State);
        Assert.Single(await RunAuditAsync(db));
    }

    [Fact]
    public async Task OpenFreezesTheMembersOnceAndARepeatedOpenChangesNothing()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var (a, b) = await TwoEndpointsAsync(db);
        var run = await CreateRunAsync(db, store);
        RunMemberRecord[] members =
        [
            new(run.Id, a, "a.example", ["198.18.0.1"]),
            new(run.Id, b, "b.example", ["198.18.0.2"]),
        ];

        var opened = await store.OpenAsync(run.Id, members, "scheduler", db.Time.GetUtcNow(), Ct);
        var again = await store.OpenAsync(run.Id, [members[0] with { Addresses = ["198.18.0.99"] }], "scheduler", db.Time.GetUtcNow(), Ct);

        Assert.True(opened);
        Assert.False(again);
        var stored = await store.GetMembersAsync(run.Id, Ct);
        Assert.Equal(members, stored, (x, y) => x.EndpointId == y.EndpointId && x.Hostname == y.Hostname
            && x.Addresses.SequenceEqual(y.Addresses));
        // The peer set, once for the run: both members' addresses as one exact range, untouched by the repeated open.
        Assert.Equal("198.18.0.1-198.18.0.2", (await store.GetPeerSetAsync(run.Id, Ct))!.Canonical);
        var read = await store.GetAsync(run.Id, Ct);
        Assert.Equal(RunState.Open, read!.State);
        Assert.Equal(StoreBackend.Start, read.OpenedAt);
        Assert.Single(await RunAuditAsync(db), e => e.Action == "Opening → Open");
    }

    [Fact]
    public async Task ListFiltersByWindowStateAndTime()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var one = await db.CreateWindowAsync("one");
        var two = await db.CreateWindowAsync("two");
        var (march, _) = await store.CreateAsync(NewRun(one, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct);
        var (april, _) = await store.CreateAsync(NewRun(one, "2027-04-14T22:00:00", TimeSpan.FromDays(35)), "scheduler", db.Time.GetUtcNow(), Ct);
        var (other, _) = await store.CreateAsync(NewRun(two, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct);
        await store.TransitionAsync(other.Id, RunState.Missed, "scheduler", db.Time.GetUtcNow(), cancellationToken: Ct);

        Assert.Equal([april.Id, march.Id], await Ids(new RunQuery(WindowId: one.Id)));
        Assert.Equal([other.Id], await Ids(new RunQuery(State: RunState.Missed)));
        Assert.Equal([april.Id], await Ids(new RunQuery(From: StoreBackend.Start.AddDays(30))));
        Assert.Equal([other.Id, march.Id], await Ids(new RunQuery(To: StoreBackend.Start.AddDays(1))));
        Assert.Equal([march.Id, april.Id], (await store.ListNotFinalAsync(Ct)).Select(r => r.Id));

        async Task<long[]> Ids(RunQuery query) => (await store.ListAsync(query, Ct)).Select(r => r.Id).ToArray();
    }

    [Fact]
    public async Task AnEndpointThatTookPartInARunCannotBeDeleted()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var endpoints = db.Endpoints;
        var (a, b) = await TwoEndpointsAsync(db);
        var run = await CreateRunAsync(db, store);
        await store.OpenAsync(run.Id, [new(run.Id, a, "a.example", ["198.18.0.1"])], "scheduler", db.Time.GetUtcNow(), Ct);

        var refused = await Assert.ThrowsAsync<ConflictException>(() => endpoints.DeleteAsync(a, "api", db.Time.GetUtcNow(), Ct));

        Assert.Contains("took part in runs", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(await endpoints.GetAsync(a, Ct));
        Assert.True(await endpoints.DeleteAsync(b, "api", db.Time.GetUtcNow(), Ct));
    }

    /// <summary>Ack-by-poll: a batch of opening acknowledgements records each at its own time, keeps an earlier time
    /// (also between two in one batch), skips runs it does not name, and never confirms a close (that stays with the
    /// report and its last counters).</summary>
    [Fact]
    public async Task OpeningAcknowledgementsFromPollsRecordEachOpeningAtItsOwnTimeAndNeverAClose()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var (a, b) = await TwoEndpointsAsync(db);
        var run = await CreateRunAsync(db, store);
        await store.OpenAsync(run.Id, [new(run.Id, a, "a.example", ["198.18.0.1"]), new(run.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), Ct);
        var first = db.Time.GetUtcNow().AddSeconds(1);
        await store.AcknowledgeOpeningsAsync([new OpeningAcknowledgement(a, [run.Id], first), new OpeningAcknowledgement(b, [run.Id + 1000], first)], Ct);
        // b twice in one batch, the later first: its earliest acknowledgement counts.
        await store.AcknowledgeOpeningsAsync(
            [new OpeningAcknowledgement(a, [run.Id], first.AddSeconds(5)), new OpeningAcknowledgement(b, [run.Id], first.AddSeconds(3)), new OpeningAcknowledgement(b, [run.Id], first.AddSeconds(2))], Ct);
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closing, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct));
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closed, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct));
        await store.AcknowledgeOpeningsAsync([new OpeningAcknowledgement(a, [], first.AddSeconds(9))], Ct);

        var members = (await store.GetMembersAsync(run.Id, Ct)).ToDictionary(m => m.EndpointId);
        Assert.Equal(first, members[a].OpenAckedAt);
        Assert.Equal(first.AddSeconds(2), members[b].OpenAckedAt);
        Assert.Null(members[a].CloseAckedAt);
        Assert.Null(members[b].CloseAckedAt);
    }

    /// <summary>Regression: settling before the opening's expiry says Unconfirmed (not "closed by expiry"),
    /// after it ClosedByExpiryUnconfirmed, and a confirmation after the settle is recorded ConfirmedLate.</summary>
    [Fact]
    public async Task SettlingTellsAnExpiredOpeningFromOneStillAheadAndALateConfirmationIsRecordedLate()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var (a, b) = await TwoEndpointsAsync(db);
        var run = await CreateRunAsync(db, store);
        await store.OpenAsync(run.Id, [new(run.Id, a, "a.example", ["198.18.0.1"]), new(run.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), Ct);
        db.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closing, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct));
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closed, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct));
        await store.AcknowledgeAsync(a, [], db.Time.GetUtcNow(), Ct);
        db.Time.Advance(TimeSpan.FromMinutes(1));

        var settled = await store.SettleCloseStatesAsync(run.Id, db.Time.GetUtcNow(), Ct);
        db.Time.Advance(TimeSpan.FromMinutes(3));
        await store.AcknowledgeAsync(b, [], db.Time.GetUtcNow(), Ct);

        Assert.Equal(new CloseSettlement(1, 0, 1), settled);
        var members = (await store.GetMembersAsync(run.Id, Ct)).ToDictionary(m => m.EndpointId);
        Assert.Equal(MemberCloseState.Confirmed, members[a].CloseState);
        Assert.Equal(MemberCloseState.ConfirmedLate, members[b].CloseState);
        Assert.Equal(StoreBackend.Start.AddMinutes(14), members[b].CloseAckedAt);

        var expired = await CreateRunAsync(db, store);
        await store.OpenAsync(expired.Id, [new(expired.Id, a, "a.example", ["198.18.0.1"])], "scheduler", db.Time.GetUtcNow(), Ct);
        Assert.Equal(new CloseSettlement(0, 1, 0), await store.SettleCloseStatesAsync(expired.Id, expired.PlannedEnd.AddMinutes(1), Ct));
    }

    /// <summary>What a stop during the close confirmation grace leaves: closed runs whose members are not settled. Only
    /// those closed within the given span of the latest close are listed; settled and open runs never are.</summary>
    [Fact]
    public async Task UnsettledClosedRunsAreListedWithinTheSpanOfTheLatestClose()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var (a, b) = await TwoEndpointsAsync(db);

        async Task<RunRecord> ClosedAsync(bool settle)
        {
            var run = await CreateRunAsync(db, store);
            await store.OpenAsync(run.Id, [new(run.Id, a, "a.example", ["198.18.0.1"]), new(run.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), Ct);
            Assert.True(await store.TransitionAsync(run.Id, RunState.Closed, "scheduler", db.Time.GetUtcNow(), CloseReason.Ended, Ct));
            if (settle)
            {
                await store.SettleCloseStatesAsync(run.Id, db.Time.GetUtcNow(), Ct);
            }

            return run;
        }

        Assert.Empty(await store.ListUnsettledClosedAsync(TimeSpan.FromMinutes(5), Ct));
        var longAgo = await ClosedAsync(settle: false);
        db.Time.Advance(TimeSpan.FromHours(1));
        var settled = await ClosedAsync(settle: true);
        db.Time.Advance(TimeSpan.FromMinutes(2));
        var first = await ClosedAsync(settle: false);
        db.Time.Advance(TimeSpan.FromMinutes(1));
        var last = await ClosedAsync(settle: false);
        var open = await CreateRunAsync(db, store);
        await store.OpenAsync(open.Id, [new(open.Id, a, "a.example", ["198.18.0.1"])], "scheduler", db.Time.GetUtcNow(), Ct);

        Assert.Equal([first.Id, last.Id], (await store.ListUnsettledClosedAsync(TimeSpan.FromMinutes(5), Ct)).Select(r => r.Id));
        Assert.Equal([last.Id], (await store.ListUnsettledClosedAsync(TimeSpan.FromSeconds(30), Ct)).Select(r => r.Id));
        Assert.Equal([longAgo.Id, first.Id, last.Id], (await store.ListUnsettledClosedAsync(TimeSpan.FromHours(2), Ct)).Select(r => r.Id));
        Assert.DoesNotContain(settled.Id, (await store.ListUnsettledClosedAsync(TimeSpan.FromHours(2), Ct)).Select(r => r.Id));

        // Settled or not, for follow-ups such as the post-close hook; never a run that is not closed.
        Assert.Equal([settled.Id, first.Id, last.Id], (await store.ListRecentlyClosedAsync(TimeSpan.FromMinutes(5), Ct)).Select(r => r.Id));
        Assert.Equal([last.Id], (await store.ListRecentlyClosedAsync(TimeSpan.FromSeconds(30), Ct)).Select(r => r.Id));
        Assert.Equal([longAgo.Id, settled.Id, first.Id, last.Id], (await store.ListRecentlyClosedAsync(TimeSpan.FromHours(2), Ct)).Select(r => r.Id));
    }

    /// <summary>Regression: a confirmation after the final snapshot changed the member's verdict but the stored snapshot
    /// kept saying "may be open"; the snapshot is dropped so that the next read takes it again.</summary>
    [Fact]
    public async Task ALateConfirmationDropsTheRunsFinalSnapshotSoTheNextReadTakesItAgain()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var reports = db.Reports;
        var (a, b) = await TwoEndpointsAsync(db);
        var run = await CreateRunAsync(db, store);
        await store.OpenAsync(run.Id, [new(run.Id, a, "a.example", ["198.18.0.1"]), new(run.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), Ct);
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closing, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct));
        Assert.True(await store.TransitionAsync(run.Id, RunState.Closed, "api", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct));
        await store.AcknowledgeAsync(a, [], db.Time.GetUtcNow(), Ct);
        db.Time.Advance(TimeSpan.FromMinutes(1));
        await store.SettleCloseStatesAsync(run.Id, db.Time.GetUtcNow(), Ct);
        await reports.SaveSnapshotAsync(new(run.Id, db.Time.GetUtcNow(), 2, 1, 1, 0, null, "{}"), Ct);

        await store.AcknowledgeAsync(a, [], db.Time.GetUtcNow(), Ct);
        Assert.NotNull(await reports.GetSnapshotAsync(run.Id, Ct));

        await store.AcknowledgeAsync(b, [], db.Time.GetUtcNow(), Ct);
        Assert.Null(await reports.GetSnapshotAsync(run.Id, Ct));
    }

    /// <summary>The many-endpoint read that precomputes states when a run opens gives each endpoint exactly what the
    /// one-endpoint read gives it: two overlapping open runs, a closed one, and an endpoint in none.</summary>
    [Fact]
    public async Task TheBulkOpenRunsReadAgreesWithTheOneEndpointReadForEveryEndpoint()
    {
        await using var db = await NewBackendAsync();
        var store = db.Runs;
        var (a, b) = await TwoEndpointsAsync(db);
        var first = await CreateRunAsync(db, store);
        var second = await CreateRunAsync(db, store);
        var closed = await CreateRunAsync(db, store);
        await store.OpenAsync(first.Id, [new(first.Id, a, "a.example", ["198.18.0.1"]), new(first.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), Ct);
        await store.OpenAsync(second.Id, [new(second.Id, b, "b.example", ["198.18.0.2"])], "scheduler", db.Time.GetUtcNow(), Ct);
        await store.OpenAsync(closed.Id, [new(closed.Id, a, "a.example", ["198.18.0.1"])], "scheduler", db.Time.GetUtcNow(), Ct);
        await store.TransitionAsync(closed.Id, RunState.Closing, "scheduler", db.Time.GetUtcNow(), cancellationToken: Ct);

        var bulk = await store.ListOpenForEndpointsAsync([a, b, 999_999], db.Time.GetUtcNow(), Ct);

        Assert.Equal([a, b, 999_999], bulk.Keys.Order());
        Assert.Empty(bulk[999_999]);
        foreach (var endpoint in new[] { a, b })
        {
            var one = await store.ListOpenForEndpointAsync(endpoint, db.Time.GetUtcNow(), Ct);
            Assert.Equal(one.Select(o => (o.Run.Id, o.Member.EndpointId, string.Join(',', o.Member.Addresses))), bulk[endpoint].Select(o => (o.Run.Id, o.Member.EndpointId, string.Join(',', o.Member.Addresses))));
        }

        Assert.Equal([first.Id], bulk[a].Select(o => o.Run.Id));
        Assert.Equal([first.Id, second.Id], bulk[b].Select(o => o.Run.Id));
    }

    /// <summary>The audit action of a run recorded skipped (the audit page shows it as it is written).</summary>
    private const string SkippedWhileOpenAction = "skipped: previous run still open";

    private static async Task<IReadOnlyList<AuditEntry>> RunAuditAsync(StoreBackend db, long? runId = null) =>
        await db.Audit.ListAsync(new AuditQuery(Entity: "run", EntityId: runId?.ToString(System.Globalization.CultureInfo.InvariantCulture)), Ct);

    private static NewRun NewRun(WindowRecord window, string key, TimeSpan? later = null)
    {
        var start = StoreBackend.Start + (later ?? TimeSpan.Zero);
        return new(window.Id, window.Definition.Name, key, RunKind.Scheduled, RunState.Opening, start, start.AddHours(4), start.AddHours(3.5), window.Definition);
    }

    private static async Task<RunRecord> CreateRunAsync(StoreBackend db, IRunStore store)
    {
        var window = await db.CreateWindowAsync("w-" + Guid.NewGuid().ToString("N")[..8]);
        return (await store.CreateAsync(NewRun(window, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct)).Run;
    }

    private static async Task<(long A, long B)> TwoEndpointsAsync(StoreBackend db)
    {
        var endpoints = db.Endpoints;
        var (a, _) = await endpoints.UpsertAsync(new EndpointRegistration("a.example", ["198.18.0.1"], "windows", []), "api", "api", db.Time.GetUtcNow(), Ct);
        var (b, _) = await endpoints.UpsertAsync(new EndpointRegistration("b.example", ["198.18.0.2"], "windows", []), "api", "api", db.Time.GetUtcNow(), Ct);
        return (a.Id, b.Id);
    }
}

public sealed class RunStoreScenarios_Sqlite : RunStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class RunStoreScenarios_Postgres(PostgresClusterFixture cluster) : RunStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
