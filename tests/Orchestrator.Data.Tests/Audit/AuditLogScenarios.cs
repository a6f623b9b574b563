using Orchestrator.Core.Groups;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Audit;

public abstract class AuditLogScenarios : StoreScenarios
{
    [Fact]
    public async Task TheAuditLogFiltersByEntityActorAndTimeRange()
    {
        await using var db = await NewBackendAsync();
        var groups = db.Groups;
        var log = db.Audit;
        var t0 = db.Time.GetUtcNow();
        var group = await groups.CreateAsync(Group("g1"), "alice", t0, Ct);
        var window = await db.CreateWindowAsync("w1");
        await groups.UpdateAsync(group.Id, Group("g1") with { Description = "changed" }, "bob", t0.AddMinutes(10), Ct);
        await groups.UpdateAsync(group.Id, Group("g1") with { Description = "again" }, "alice", t0.AddMinutes(20), Ct);

        Assert.Equal(["updated", "updated", "created"], await Actions(new AuditQuery(Entity: "group")));
        Assert.Equal(["created"], await Actions(new AuditQuery(Entity: "window", EntityId: window.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(["updated", "created"], await Actions(new AuditQuery(Entity: "group", Actor: "alice")));
        Assert.Equal(["updated"], await Actions(new AuditQuery(Actor: "bob")));
        Assert.Equal(["updated"], await Actions(new AuditQuery(Entity: "group", From: t0.AddMinutes(10), To: t0.AddMinutes(20))));
        Assert.Equal(["updated", "updated"], await Actions(new AuditQuery(Entity: "group", From: t0.AddMinutes(1))));
        Assert.Equal(["updated"], await Actions(new AuditQuery(Entity: "group", Limit: 1)));

        var entry = (await log.ListAsync(new AuditQuery(Actor: "bob"), Ct)).Single();
        Assert.Equal(t0.AddMinutes(10), entry.At);
        Assert.Equal(group.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.EntityId);
        Assert.Contains("\"description\":\"changed\"", entry.Detail, StringComparison.Ordinal);

        async Task<string[]> Actions(AuditQuery query) =>
            (await log.ListAsync(query, Ct)).Select(e => e.Action).ToArray();
    }

    private static GroupDefinition Group(string name) => new(name, null, ["a.example"], [], []);
}

public sealed class AuditLogScenarios_Sqlite : AuditLogScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class AuditLogScenarios_Postgres(PostgresClusterFixture cluster) : AuditLogScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
