using System.Data;
using Dapper;
using Orchestrator.Data.Access;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresApiKeyStore(PostgresDatabase database) : IApiKeyStore
{
    public async Task<ApiKeyRecord> CreateAsync(string name, string keyHash, Role role, DateTimeOffset? expiresAt, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ApiKeyQueries.CreateAsync(connection, name, keyHash, role, expiresAt, actor, now, PostgresDialect.Instance, cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindActiveAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var at = UnixMs.From(now);
        var (row, touch) = await ApiKeyQueries.FindActiveAsync(connection, keyHash, at);
        if (touch)
        {
            // Coarse on purpose (ApiKeyQueries.LastUsedResolutionMs). Never moves it back (nodes' clocks differ a little
            // and requests finish out of order).
            await connection.ExecuteAsync(
                "UPDATE api_keys SET last_used_at = @at WHERE id = @Id AND (last_used_at IS NULL OR last_used_at < @at)", new { at, row!.Id });
        }

        return row?.ToRecord();
    }

    public async Task<ApiKeyRecord?> GetActiveAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ApiKeyQueries.GetActiveAsync(connection, id, now);
    }

    public async Task<ApiKeyRecord?> ChangeRoleAsync(long id, Role role, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ApiKeyQueries.ChangeRoleAsync(connection, id, role, actor, now, LockAdminKeysAsync, cancellationToken);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ApiKeyQueries.ListAsync(connection);
    }

    public async Task<bool> RevokeAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ApiKeyQueries.RevokeAsync(connection, id, actor, now, LockAdminKeysAsync, cancellationToken);
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ApiKeyQueries.AnyAsync(connection);
    }

    // Two demotions (or a demotion and a revocation) of the last two admin keys on two nodes would each see the other
    // admin and both go through: they take turns, so the second sees the first's change.
    private static Task LockAdminKeysAsync(IDbConnection connection, IDbTransaction transaction) =>
        AdvisoryLocks.TakeAsync(connection, transaction, AdvisoryLocks.ApiKeys);
}
