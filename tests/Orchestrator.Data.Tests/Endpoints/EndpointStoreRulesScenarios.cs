using Orchestrator.Core.Runs;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Endpoints;

/// <summary>Endpoint upserts: by hostname in any case, listed by hostname, and an open run's member keeps the addresses its
/// peers' allow-lists were computed from until the run closes; each address change is audited with both lists.</summary>
public abstract class EndpointStoreRulesScenarios : StoreScenarios
{
    [Fact]
    public async Task UpsertsMatchHostnamesInAnyCaseAndListByHostname()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();

        var first = await db.Endpoints.UpsertAllAsync(
            [new("web-2.example", ["198.18.0.2"], "linux", ["ring1"]), new("Web-1.example", ["198.18.0.1"], "windows", [])], "import", "test", now, Ct);
        var again = await db.Endpoints.UpsertAsync(new("WEB-2.EXAMPLE", ["198.18.0.2"], "linux", ["ring2"]), "import", "test", now, Ct);

        Assert.All(first, r => Assert.True(r.Created));
        Assert.False(again.Created);
        Assert.Equal(first[0].Endpoint.Id, again.Endpoint.Id);
        Assert.Equal(["ring2"], again.Endpoint.Tags);
        Assert.Equal(["Web-1.example", "WEB-2.EXAMPLE"], (await db.Endpoints.ListAsync(Ct)).Select(e => e.Hostname));
    }

    [Fact]
    public async Task AnOpenRunsMemberKeepsItsAddressesUntilTheRunClosesAndTheChangeIsAudited()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        var (endpoint, _) = await db.Endpoints.UpsertAsync(new("a.example", ["198.18.0.1"], "windows", []), "api", "test", now, Ct);
        var window = await db.CreateWindowAsync("tuesday");
        var (run, _) = await db.Runs.CreateAsync(
            new NewRun(window.Id, "tuesday", "k", RunKind.Scheduled, RunState.Opening, now, now.AddHours(4), now.AddHours(3), window.Definition), "scheduler", now, Ct);
        await db.Runs.OpenAsync(run.Id, [new RunMemberRecord(run.Id, endpoint.Id, "a.example", ["198.18.0.1"])], "scheduler", now, Ct);

        var refused = await Assert.ThrowsAsync<ConflictException>(() =>
            db.Endpoints.UpsertAsync(new("a.example", ["198.18.0.9"], "windows", []), "agent", "test", now, Ct));
        Assert.Contains($"member of open run {run.Id}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["198.18.0.1"], (await db.Endpoints.GetAsync(endpoint.Id, Ct))!.Addresses);

        Assert.True(await db.Runs.TransitionAsync(run.Id, RunState.Closing, "scheduler", now, CloseReason.ClosedByOperator, Ct));
        var (moved, _) = await db.Endpoints.UpsertAsync(new("a.example", ["198.18.0.9"], "windows", []), "agent", "test", now, Ct);

        Assert.Equal(["198.18.0.9"], moved.Addresses);
        var audit = await db.Audit.ListAsync(new AuditQuery(Entity: "endpoint"), Ct);
        var change = Assert.Single(audit, e => e.Action == "addresses changed");
        Assert.Contains("\"oldAddresses\":[\"198.18.0.1\"]", change.Detail, StringComparison.Ordinal);
        Assert.Contains("\"newAddresses\":[\"198.18.0.9\"]", change.Detail, StringComparison.Ordinal);
        // The freed address can be taken by another endpoint; the new one cannot.
        await db.Endpoints.UpsertAsync(new("b.example", ["198.18.0.1"], "windows", []), "api", "test", now, Ct);
        await Assert.ThrowsAsync<ConflictException>(() => db.Endpoints.UpsertAsync(new("c.example", ["198.18.0.9"], "windows", []), "api", "test", now, Ct));
    }
}

public sealed class EndpointStoreRulesScenarios_Sqlite : EndpointStoreRulesScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class EndpointStoreRulesScenarios_Postgres(PostgresClusterFixture cluster) : EndpointStoreRulesScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
