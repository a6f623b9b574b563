using Orchestrator.Data.Access;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Access;

/// <summary>API keys: found by their hash only while active, never without an active admin key, names unique among
/// active keys.</summary>
public abstract class ApiKeyStoreScenarios : StoreScenarios
{
    [Fact]
    public async Task AKeyIsFoundByItsHashOnlyWhileItIsNeitherRevokedNorExpired()
    {
        await using var db = await NewBackendAsync();
        var keys = db.ApiKeys;
        var now = db.Time.GetUtcNow();
        Assert.False(await keys.AnyAsync(Ct));
        var admin = await keys.CreateAsync("root", "hash-root", Role.Admin, null, "bootstrap", now, Ct);
        var temporary = await keys.CreateAsync("ci", "hash-ci", Role.Operator, now.AddHours(1), "root", now, Ct);

        Assert.True(await keys.AnyAsync(Ct));
        Assert.Equal(admin.Id, (await keys.FindActiveAsync("hash-root", now, Ct))!.Id);
        Assert.Equal(Role.Operator, (await keys.FindActiveAsync("hash-ci", now.AddMinutes(59), Ct))!.Role);
        Assert.Null(await keys.FindActiveAsync("hash-ci", now.AddHours(1), Ct));
        Assert.Null(await keys.GetActiveAsync(temporary.Id, now.AddHours(2), Ct));
        Assert.Null(await keys.FindActiveAsync("hash-unknown", now, Ct));

        Assert.True(await keys.RevokeAsync(temporary.Id, "root", now.AddMinutes(1), Ct));
        Assert.False(await keys.RevokeAsync(temporary.Id, "root", now.AddMinutes(2), Ct));
        Assert.Null(await keys.FindActiveAsync("hash-ci", now.AddMinutes(3), Ct));
        Assert.Equal(now.AddMinutes(1), (await keys.ListAsync(Ct)).Single(k => k.Id == temporary.Id).RevokedAt);
        Assert.Equal(
            ["created", "revoked"],
            (await db.Audit.ListAsync(new AuditQuery(Entity: "api-key", EntityId: temporary.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), Ct))
                .Select(e => e.Action).Reverse());
    }

    [Fact]
    public async Task AUseIsRecordedAtMostOnceAMinute()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        await db.ApiKeys.CreateAsync("root", "hash-root", Role.Admin, null, "bootstrap", now, Ct);

        await db.ApiKeys.FindActiveAsync("hash-root", now.AddSeconds(1), Ct);
        await db.ApiKeys.FindActiveAsync("hash-root", now.AddSeconds(30), Ct);
        Assert.Equal(now.AddSeconds(1), (await db.ApiKeys.ListAsync(Ct)).Single().LastUsedAt);

        await db.ApiKeys.FindActiveAsync("hash-root", now.AddMinutes(2), Ct);
        Assert.Equal(now.AddMinutes(2), (await db.ApiKeys.ListAsync(Ct)).Single().LastUsedAt);
    }

    [Fact]
    public async Task TheLastActiveAdminKeyCanBeNeitherRevokedNorDemoted()
    {
        await using var db = await NewBackendAsync();
        var keys = db.ApiKeys;
        var now = db.Time.GetUtcNow();
        var first = await keys.CreateAsync("root", "hash-root", Role.Admin, null, "bootstrap", now, Ct);
        var expiredAdmin = await keys.CreateAsync("old-admin", "hash-old", Role.Admin, now.AddMinutes(1), "root", now, Ct);
        var later = now.AddMinutes(5);

        await Assert.ThrowsAsync<ConflictException>(() => keys.RevokeAsync(first.Id, "root", later, Ct));
        await Assert.ThrowsAsync<ConflictException>(() => keys.ChangeRoleAsync(first.Id, Role.Viewer, "root", later, Ct));
        Assert.Equal(Role.Admin, (await keys.GetActiveAsync(first.Id, later, Ct))!.Role);
        Assert.Null(await keys.ChangeRoleAsync(expiredAdmin.Id, Role.Viewer, "root", later, Ct));

        var second = await keys.CreateAsync("second", "hash-second", Role.Admin, null, "root", later, Ct);
        Assert.Equal(Role.Viewer, (await keys.ChangeRoleAsync(first.Id, Role.Viewer, "root", later, Ct))!.Role);
        await Assert.ThrowsAsync<ConflictException>(() => keys.RevokeAsync(second.Id, "root", later, Ct));
        Assert.True(await keys.RevokeAsync(first.Id, "root", later, Ct));
    }

    [Fact]
    public async Task ANameIsUniqueAmongActiveKeysInAnyCaseAndFreedByRevocation()
    {
        await using var db = await NewBackendAsync();
        var keys = db.ApiKeys;
        var now = db.Time.GetUtcNow();
        await keys.CreateAsync("root", "hash-root", Role.Admin, null, "bootstrap", now, Ct);
        var ci = await keys.CreateAsync("ci", "hash-ci", Role.Operator, null, "root", now, Ct);

        await Assert.ThrowsAsync<ConflictException>(() => keys.CreateAsync("CI", "hash-ci-2", Role.Viewer, null, "root", now, Ct));
        Assert.Equal(2, (await keys.ListAsync(Ct)).Count);
        Assert.True(await keys.RevokeAsync(ci.Id, "root", now, Ct));
        var again = await keys.CreateAsync("CI", "hash-ci-2", Role.Viewer, null, "root", now, Ct);

        Assert.Equal(again.Id, (await keys.FindActiveAsync("hash-ci-2", now, Ct))!.Id);
    }
}

public sealed class ApiKeyStoreScenarios_Sqlite : ApiKeyStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class ApiKeyStoreScenarios_Postgres(PostgresClusterFixture cluster) : ApiKeyStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
