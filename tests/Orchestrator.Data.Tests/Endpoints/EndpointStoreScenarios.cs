using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Endpoints;

/// <summary>The catalog version behind the server's in-memory endpoint list: it must move with every change that
/// can alter a group's membership, whoever writes it, and stay put otherwise.</summary>
public abstract class EndpointStoreScenarios : StoreScenarios
{
    [Fact]
    public async Task AnUnchangedCatalogAnswersNothingNew()
    {
        await using var db = await NewBackendAsync();
        var store = db.Endpoints;
        await store.UpsertAsync(Registration("a.example", "ring1"), "api", "test", db.Time.GetUtcNow(), Ct);

        var first = await store.ListIfChangedAsync(-1, Ct);
        var again = await store.ListIfChangedAsync(first!.Version, Ct);

        Assert.Equal(["a.example"], first.Endpoints.Select(e => e.Hostname));
        Assert.Null(again);
    }

    [Fact]
    public async Task EveryMembershipRelevantChangeMovesTheVersionAndNothingElseDoes()
    {
        await using var db = await NewBackendAsync();
        var store = db.Endpoints;
        var now = db.Time.GetUtcNow();
        var version = (await store.ListIfChangedAsync(-1, Ct))!.Version;

        async Task<EndpointCatalog?> After(Func<Task> change)
        {
            await change();
            var changed = await store.ListIfChangedAsync(version, Ct);
            version = changed?.Version ?? version;
            return changed;
        }

        var created = await After(() => store.UpsertAsync(Registration("b.example", "ring1"), "api", "test", now, Ct));
        var id = created!.Endpoints.Single().Id;
        var sameAgain = await After(() => store.UpsertAsync(Registration("b.example", "ring1"), "api", "test", now.AddMinutes(1), Ct));
        var retagged = await After(() => store.UpsertAsync(Registration("b.example", "ring2"), "api", "test", now, Ct));
        var lastSeen = await After(() => db.ScalarAsync($"UPDATE endpoints SET last_seen_at = updated_at WHERE id = {id} RETURNING id"));
        var readdressedElsewhere = await After(() => db.ScalarAsync($"UPDATE endpoints SET addresses = '[\"198.18.1.9\"]' WHERE id = {id} RETURNING id"));
        var deleted = await After(() => store.DeleteAsync(id, "test", now, Ct));

        Assert.NotNull(created);
        Assert.Null(sameAgain);
        Assert.Equal(["ring2"], retagged!.Endpoints.Single().Tags);
        Assert.Null(lastSeen);
        Assert.Equal(["198.18.1.9"], readdressedElsewhere!.Endpoints.Single().Addresses);
        Assert.Empty(deleted!.Endpoints);
    }

    [Fact]
    public async Task TheVersionAloneIsTheVersionTheListIsReadAt()
    {
        await using var db = await NewBackendAsync();
        var store = db.Endpoints;
        var before = await store.CatalogVersionAsync(Ct);
        var listedBefore = (await store.ListIfChangedAsync(-1, Ct))!.Version;
        await store.UpsertAsync(Registration("c.example", "ring1"), "api", "test", db.Time.GetUtcNow(), Ct);

        var after = await store.CatalogVersionAsync(Ct);

        Assert.Equal(listedBefore, before);
        Assert.NotEqual(before, after);
        Assert.Equal(after, (await store.ListIfChangedAsync(before, Ct))!.Version);
    }

    private static EndpointRegistration Registration(string hostname, string tag) => new(hostname, ["198.18.1.1"], "linux", [tag]);
}

public sealed class EndpointStoreScenarios_Sqlite : EndpointStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class EndpointStoreScenarios_Postgres(PostgresClusterFixture cluster) : EndpointStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
