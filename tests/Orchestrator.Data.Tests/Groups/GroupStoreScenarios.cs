using Orchestrator.Core.Groups;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Groups;

/// <summary>Groups: stored as defined, unique by name in any case, listed by name, and kept while a window names them.</summary>
public abstract class GroupStoreScenarios : StoreScenarios
{
    [Fact]
    public async Task AGroupRoundTripsIsListedByNameAndEveryChangeIsAudited()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        var ring2 = new GroupDefinition("ring2", "second wave", ["b.example"], ["198.18.2.0/24"], ["site:lyon"]);
        var ring1 = new GroupDefinition("Ring1", null, [], ["198.18.1.0/24", "198.18.3.0/24"], []);

        var created = await db.Groups.CreateAsync(ring2, "api", now, Ct);
        await db.Groups.CreateAsync(ring1, "api", now, Ct);
        db.Time.Advance(TimeSpan.FromMinutes(1));
        var updated = await db.Groups.UpdateAsync(created.Id, ring2 with { Description = "second wave, moved", Tags = ["site:paris"] }, "api", db.Time.GetUtcNow(), Ct);

        Assert.Equal("second wave, moved", updated!.Definition.Description);
        Assert.Equal(["site:paris"], updated.Definition.Tags);
        Assert.Equal(now, updated.CreatedAt);
        Assert.Equal(now.AddMinutes(1), updated.UpdatedAt);
        var read = await db.Groups.GetAsync(created.Id, Ct);
        Assert.Equal(["b.example"], read!.Definition.StaticMembers);
        Assert.Equal(["198.18.2.0/24"], read.Definition.Cidrs);
        Assert.Equal(["Ring1", "ring2"], (await db.Groups.ListAsync(Ct)).Select(g => g.Definition.Name));
        Assert.Null(await db.Groups.UpdateAsync(999_999, ring2, "api", now, Ct));
        var audit = await db.Audit.ListAsync(new AuditQuery(Entity: "group"), Ct);
        Assert.Equal(["updated", "created", "created"], audit.Select(e => e.Action));
    }

    [Fact]
    public async Task ANameTakenInAnyCaseIsAConflictAndChangesNothing()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        await db.Groups.CreateAsync(new GroupDefinition("ring1", null, [], [], []), "api", now, Ct);
        var other = await db.Groups.CreateAsync(new GroupDefinition("ring2", null, [], [], []), "api", now, Ct);

        var create = await Assert.ThrowsAsync<ConflictException>(() => db.Groups.CreateAsync(new GroupDefinition("RING1", null, [], [], []), "api", now, Ct));
        var rename = await Assert.ThrowsAsync<ConflictException>(() => db.Groups.UpdateAsync(other.Id, new GroupDefinition("Ring1", null, [], [], []), "api", now, Ct));

        Assert.Contains("'RING1' already exists", create.Message, StringComparison.Ordinal);
        Assert.Contains("'Ring1' already exists", rename.Message, StringComparison.Ordinal);
        Assert.Equal(["ring1", "ring2"], (await db.Groups.ListAsync(Ct)).Select(g => g.Definition.Name));
        Assert.Equal(2, (await db.Audit.ListAsync(new AuditQuery(Entity: "group"), Ct)).Count);
    }

    [Fact]
    public async Task AGroupAWindowNamesIsKeptUntilTheWindowIsDeleted()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        var group = await db.Groups.CreateAsync(new GroupDefinition("ring1", null, [], [], []), "api", now, Ct);
        var window = await db.Windows.CreateAsync(StoreBackend.Window("tuesday", "ring1"), [group.Id], "api", now, Ct);

        var refused = await Assert.ThrowsAsync<ConflictException>(() => db.Groups.DeleteAsync(group.Id, "api", now, Ct));

        Assert.Contains("used by window(s) 'tuesday'", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(await db.Groups.GetAsync(group.Id, Ct));
        Assert.True(await db.Windows.DeleteAsync(window.Id, "api", now, Ct));
        Assert.True(await db.Groups.DeleteAsync(group.Id, "api", now, Ct));
        Assert.False(await db.Groups.DeleteAsync(group.Id, "api", now, Ct));
        Assert.Null(await db.Groups.GetAsync(group.Id, Ct));
    }
}

public sealed class GroupStoreScenarios_Sqlite : GroupStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class GroupStoreScenarios_Postgres(PostgresClusterFixture cluster) : GroupStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
