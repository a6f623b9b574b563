using Orchestrator.Data.Access;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Access;

/// <summary>The last active admin key stays even when two administrators, on two nodes, remove the last two at once.</summary>
public abstract class ApiKeyStoreConcurrencyScenarios : StoreScenarios
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheLastTwoAdminKeysRevokedOrDemotedAtOnceLeaveOne(bool demoteTheSecond)
    {
        // A few rounds: a race is a race only when both attempts get past the check before either writes.
        for (var round = 0; round < 4; round++)
        {
            await using var db = await NewBackendAsync();
            var now = db.Time.GetUtcNow();
            var a = await db.ApiKeys.CreateAsync("a", "hash-a", Role.Admin, null, "test", now, Ct);
            var b = await db.ApiKeys.CreateAsync("b", "hash-b", Role.Admin, null, "test", now, Ct);

            var results = await Concurrently.RunAsync(2, async i => i == 0
                ? await db.ApiKeys.RevokeAsync(a.Id, "test", now, Ct)
                : demoteTheSecond
                    ? await db.ApiKeys.ChangeRoleAsync(b.Id, Role.Viewer, "test", now, Ct) is not null
                    : await db.ApiKeys.RevokeAsync(b.Id, "test", now, Ct));

            Assert.Single(results, r => r.Error is null && r.Result);
            Assert.IsType<ConflictException>(Assert.Single(results, r => r.Error is not null).Error);
            Assert.Single(await db.ApiKeys.ListAsync(Ct), k => k.Role == Role.Admin && k.RevokedAt is null);
        }
    }
}

public sealed class ApiKeyStoreConcurrencyScenarios_Sqlite : ApiKeyStoreConcurrencyScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class ApiKeyStoreConcurrencyScenarios_Postgres(PostgresClusterFixture cluster) : ApiKeyStoreConcurrencyScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
