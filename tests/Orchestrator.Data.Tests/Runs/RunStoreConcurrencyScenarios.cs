using Orchestrator.Core.Runs;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Tests.Backends;
using Orchestrator.Data.Windows;

namespace Orchestrator.Data.Tests.Runs;

/// <summary>
/// Run writes meeting each other, as when several nodes' schedulers and agents' reports reach the database at the same
/// moment. SQLite runs one writer at a time; on PostgreSQL each guarantee rests on a lock or a single statement.
/// </summary>
public abstract class RunStoreConcurrencyScenarios : StoreScenarios
{
    /// <summary>A window never has two open runs, even when two of its occurrences are created at the same moment.</summary>
    [Fact]
    public async Task OccurrencesOfOneWindowCreatedAtOnceOpenOneAndSkipTheOthers()
    {
        await using var db = await NewBackendAsync();
        var window = await db.CreateWindowAsync("overlapping");

        var results = await Concurrently.RunAsync(10, i => db.Runs.CreateAsync(NewRun(window, $"ad-hoc-{i}"), "scheduler", db.Time.GetUtcNow(), Ct));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.All(results, r => Assert.True(r.Result.Created));
        Assert.Single(results, r => r.Result.Run.State == RunState.Opening);
        Assert.Equal(9, results.Count(r => r.Result.Run.State == RunState.Skipped));
        var audit = await db.Audit.ListAsync(new AuditQuery(Entity: "run"), Ct);
        Assert.Equal(9, audit.Count(e => e.Action == "skipped: previous run still open"));
    }

    [Fact]
    public async Task ARunOpenedByTenJobsAtOnceFreezesItsMembersOnce()
    {
        await using var db = await NewBackendAsync();
        var endpoints = await EndpointsAsync(db, 2);
        var window = await db.CreateWindowAsync("opened-twice");
        var (run, _) = await db.Runs.CreateAsync(NewRun(window, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct);
        RunMemberRecord[] members = [.. endpoints.Select(e => new RunMemberRecord(run.Id, e.Id, e.Hostname, e.Addresses))];

        var results = await Concurrently.RunAsync(10, _ => db.Runs.OpenAsync(run.Id, members, "scheduler", db.Time.GetUtcNow(), Ct));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Single(results, r => r.Result);
        Assert.Equal(2, (await db.Runs.GetMembersAsync(run.Id, Ct)).Count);
        var audit = await db.Audit.ListAsync(new AuditQuery(Entity: "run"), Ct);
        Assert.Single(audit, e => e.Action == "Opening → Open");
    }

    /// <summary>Confirmations arriving while the settlement runs: each member ends Confirmed (before it) or
    /// ConfirmedLate (after it), and the settlement's counts are what it wrote; none is left unsettled.</summary>
    [Fact]
    public async Task ConfirmationsRacingTheSettlementEachEndConfirmedOrConfirmedLate()
    {
        const int Members = 200;
        await using var db = await NewBackendAsync();
        var endpoints = await EndpointsAsync(db, Members);
        var window = await db.CreateWindowAsync("settled-while-confirming");
        var (run, _) = await db.Runs.CreateAsync(NewRun(window, "2027-03-10T22:00:00"), "scheduler", db.Time.GetUtcNow(), Ct);
        await db.Runs.OpenAsync(run.Id, [.. endpoints.Select(e => new RunMemberRecord(run.Id, e.Id, e.Hostname, e.Addresses))], "scheduler", db.Time.GetUtcNow(), Ct);
        Assert.True(await db.Runs.TransitionAsync(run.Id, RunState.Closing, "scheduler", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct));
        Assert.True(await db.Runs.TransitionAsync(run.Id, RunState.Closed, "scheduler", db.Time.GetUtcNow(), CloseReason.ClosedByOperator, Ct));
        var now = db.Time.GetUtcNow().AddMinutes(1);

        // Twenty confirmers work through ten members each while one attempt settles, all released together (a few
        // connections, as a few nodes' report writers would use).
        const int Confirmers = 20;
        var results = await Concurrently.RunAsync<CloseSettlement?>(Confirmers + 1, async i =>
        {
            if (i == Confirmers)
            {
                return await db.Runs.SettleCloseStatesAsync(run.Id, now, Ct);
            }

            foreach (var endpoint in endpoints.Skip(i * (Members / Confirmers)).Take(Members / Confirmers))
            {
                await db.Runs.AcknowledgeAsync(endpoint.Id, [], now, Ct);
            }

            return null;
        });

        Assert.All(results, r => Assert.Null(r.Error));
        var settlement = results[Confirmers].Result!;
        var states = (await db.Runs.GetMembersAsync(run.Id, Ct)).Select(m => m.CloseState).ToList();
        Assert.All(states, s => Assert.Contains(s, new MemberCloseState?[] { MemberCloseState.Confirmed, MemberCloseState.ConfirmedLate }));
        Assert.Equal(settlement.Confirmed, states.Count(s => s == MemberCloseState.Confirmed));
        Assert.Equal(Members, settlement.Confirmed + settlement.Unconfirmed + settlement.OpenUntilExpiry);
    }

    private static NewRun NewRun(WindowRecord window, string key)
    {
        var start = StoreBackend.Start;
        return new(window.Id, window.Definition.Name, key, RunKind.Scheduled, RunState.Opening, start, start.AddHours(4), start.AddHours(3.5), window.Definition);
    }

    private static async Task<List<EndpointRecord>> EndpointsAsync(StoreBackend db, int count)
    {
        var registrations = Enumerable.Range(0, count)
            .Select(i => new EndpointRegistration($"member-{i:D4}.example", [$"198.18.{i / 250}.{(i % 250) + 1}"], "windows", []))
            .ToList();
        return [.. (await db.Endpoints.UpsertAllAsync(registrations, "api", "test", db.Time.GetUtcNow(), Ct)).Select(r => r.Endpoint)];
    }
}

public sealed class RunStoreConcurrencyScenarios_Sqlite : RunStoreConcurrencyScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class RunStoreConcurrencyScenarios_Postgres(PostgresClusterFixture cluster) : RunStoreConcurrencyScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
