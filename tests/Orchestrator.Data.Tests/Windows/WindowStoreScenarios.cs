using Orchestrator.Core.Groups;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Windows;

/// <summary>Windows: stored as defined, a revision that moves with every change (schedulers compare it), unique names
/// among windows not deleted, and a deleted window gone from reads while its name is free again.</summary>
public abstract class WindowStoreScenarios : StoreScenarios
{
    [Fact]
    public async Task AWindowRoundTripsAndEachUpdateMovesItsRevision()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        var ring1 = await db.Groups.CreateAsync(new GroupDefinition("ring1", null, [], [], []), "api", now, Ct);
        var ring2 = await db.Groups.CreateAsync(new GroupDefinition("ring2", null, [], [], []), "api", now, Ct);
        var definition = StoreBackend.Window("tuesday", "ring1");

        var created = await db.Windows.CreateAsync(definition, [ring1.Id], "api", now, Ct);
        db.Time.Advance(TimeSpan.FromMinutes(1));
        var updated = await db.Windows.UpdateAsync(created.Id, definition with { Groups = ["ring1", "ring2"], Enabled = false }, [ring1.Id, ring2.Id, ring2.Id], "api", db.Time.GetUtcNow(), Ct);

        Assert.Equal(1, created.Revision);
        Assert.Equal(2, updated!.Revision);
        Assert.False(updated.Definition.Enabled);
        Assert.Equal(["ring1", "ring2"], updated.Definition.Groups);
        Assert.Equal(definition.Schedule.Cron, updated.Definition.Schedule.Cron);
        Assert.Equal(now.AddMinutes(1), updated.UpdatedAt);
        Assert.Equal(updated, await db.Windows.GetAsync(created.Id, Ct), (x, y) => x.Id == y!.Id && x.Revision == y.Revision && x.UpdatedAt == y.UpdatedAt);
        Assert.Null(await db.Windows.UpdateAsync(999_999, definition, [], "api", now, Ct));
        // Both groups are linked now: each refuses deletion.
        await Assert.ThrowsAsync<ConflictException>(() => db.Groups.DeleteAsync(ring2.Id, "api", now, Ct));
        var audit = await db.Audit.ListAsync(new AuditQuery(Entity: "window"), Ct);
        Assert.Equal(["updated", "created"], audit.Select(e => e.Action));
    }

    [Fact]
    public async Task ANameIsUniqueAmongLiveWindowsInAnyCaseAndFreedByDeletion()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        var first = await db.Windows.CreateAsync(StoreBackend.Window("tuesday"), [], "api", now, Ct);
        await db.Windows.CreateAsync(StoreBackend.Window("Wednesday"), [], "api", now, Ct);

        var taken = await Assert.ThrowsAsync<ConflictException>(() => db.Windows.CreateAsync(StoreBackend.Window("TUESDAY"), [], "api", now, Ct));
        Assert.Contains("'TUESDAY' already exists", taken.Message, StringComparison.Ordinal);
        Assert.Equal(["tuesday", "Wednesday"], (await db.Windows.ListAsync(Ct)).Select(w => w.Definition.Name));

        Assert.True(await db.Windows.DeleteAsync(first.Id, "api", now, Ct));
        Assert.False(await db.Windows.DeleteAsync(first.Id, "api", now, Ct));
        Assert.Null(await db.Windows.GetAsync(first.Id, Ct));
        Assert.Null(await db.Windows.UpdateAsync(first.Id, StoreBackend.Window("tuesday"), [], "api", now, Ct));
        var again = await db.Windows.CreateAsync(StoreBackend.Window("TUESDAY"), [], "api", now, Ct);
        Assert.NotEqual(first.Id, again.Id);
        Assert.Equal(["TUESDAY", "Wednesday"], (await db.Windows.ListAsync(Ct)).Select(w => w.Definition.Name));
    }
}

public sealed class WindowStoreScenarios_Sqlite : WindowStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class WindowStoreScenarios_Postgres(PostgresClusterFixture cluster) : WindowStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
