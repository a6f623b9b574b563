using System.Data;
using Dapper;
using Orchestrator.Data.Access;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteApiKeyStore(SqliteDatabase database) : IApiKeyStore
{
    public async Task<ApiKeyRecord> CreateAsync(string name, string keyHash, Role role, DateTimeOffset? expiresAt, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ApiKeyQueries.CreateAsync(connection, name, keyHash, role, expiresAt, actor, now, SqliteDialect.Instance, cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindActiveAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var at = UnixMs.From(now);
        var (row, touch) = await ApiKeyQueries.FindActiveAsync(connection, keyHash, at);
        if (touch)
        {
            // Coarse on purpose (ApiKeyQueries.LastUsedResolutionMs).
            await connection.ExecuteAsync("UPDATE api_keys SET last_used_at = @at WHERE id = @Id", new { at, row!.Id });
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

    // SQLite runs one writer at a time: the last-admin check and the change need no lock of their own.
    private static Task LockAdminKeysAsync(IDbConnection connection, IDbTransaction transaction) => Task.CompletedTask;
}
