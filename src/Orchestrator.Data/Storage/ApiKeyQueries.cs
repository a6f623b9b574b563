using System.Data;
using System.Data.Common;
using Dapper;
using Orchestrator.Data.Access;
using static Orchestrator.Data.Storage.ApiKeyRows;

namespace Orchestrator.Data.Storage;

/// <summary>The API key statements whose SQL is the same in both dialects (docs/decisions.md, "Shared Dapper
/// statements"); each backend keeps its last-used write and the lock PostgreSQL takes around the last-admin rule.</summary>
internal static class ApiKeyQueries
{
    private const string Columns =
        "id AS Id, name AS Name, role AS Role, created_at AS CreatedAt, created_by AS CreatedBy, expires_at AS ExpiresAt, revoked_at AS RevokedAt, last_used_at AS LastUsedAt";

    /// <summary>A key's last use is written at most once a minute: coarse on purpose, enough to see which keys are in use.</summary>
    public const long LastUsedResolutionMs = 60_000;

    public static async Task<ApiKeyRecord> CreateAsync(
        DbConnection connection, string name, string keyHash, Role role, DateTimeOffset? expiresAt, string actor, DateTimeOffset now, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long id;
        try
        {
            id = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO api_keys (name, key_hash, role, created_at, created_by, expires_at)
                VALUES (@name, @keyHash, @role, @now, @actor, @expires) RETURNING id
                """,
                new { name, keyHash, role = role.ToString(), now = UnixMs.From(now), actor, expires = UnixMs.From(expiresAt) }, transaction);
        }
        catch (DbException e) when (dialect.IsUniqueViolation(e))
        {
            throw new ConflictException($"an active API key is already named '{name}'");
        }

        await AuditQueries.WriteAsync(connection, transaction, now, actor, "api-key", id, "created", new { name, role = role.ToString(), expiresAt });
        var row = await connection.QuerySingleAsync<Row>($"SELECT {Columns} FROM api_keys WHERE id = @id", new { id }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return row.ToRecord();
    }

    /// <summary>The active key of this hash; <paramref name="touch"/>: its last use is older than <see cref="LastUsedResolutionMs"/>.</summary>
    public static async Task<(Row? Row, bool Touch)> FindActiveAsync(IDbConnection connection, string keyHash, long at)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM api_keys WHERE key_hash = @keyHash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)",
            new { keyHash, at });
        return (row, row is not null && (row.LastUsedAt is null || at - row.LastUsedAt > LastUsedResolutionMs));
    }

    public static async Task<ApiKeyRecord?> GetActiveAsync(IDbConnection connection, long id, DateTimeOffset now) =>
        (await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM api_keys WHERE id = @id AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)",
            new { id, at = UnixMs.From(now) }))?.ToRecord();

    /// <param name="lockAdminKeys">Taken first: the last active admin key is checked, then changed, one change at a time.</param>
    public static async Task<ApiKeyRecord?> ChangeRoleAsync(
        DbConnection connection, long id, Role role, string actor, DateTimeOffset now, Func<IDbConnection, IDbTransaction, Task> lockAdminKeys, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await lockAdminKeys(connection, transaction);
        var at = UnixMs.From(now);
        var current = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT role FROM api_keys WHERE id = @id AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)", new { id, at }, transaction);
        if (current is null)
        {
            return null;
        }

        if (current == nameof(Role.Admin) && role != Role.Admin && await ActiveAdminsAsync(connection, transaction, at) <= 1)
        {
            throw new ConflictException($"API key {id} is the last active admin key; give another key the admin role first");
        }

        if (current != role.ToString())
        {
            await connection.ExecuteAsync("UPDATE api_keys SET role = @role WHERE id = @id", new { id, role = role.ToString() }, transaction);
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "api-key", id, "role changed", new { from = current, to = role.ToString() });
        }

        var row = await connection.QuerySingleAsync<Row>($"SELECT {Columns} FROM api_keys WHERE id = @id", new { id }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return row.ToRecord();
    }

    public static async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(IDbConnection connection) =>
        (await connection.QueryAsync<Row>($"SELECT {Columns} FROM api_keys ORDER BY id")).Select(r => r.ToRecord()).ToList();

    /// <param name="lockAdminKeys">Taken first: the last active admin key is checked, then revoked, one change at a time.</param>
    public static async Task<bool> RevokeAsync(
        DbConnection connection, long id, string actor, DateTimeOffset now, Func<IDbConnection, IDbTransaction, Task> lockAdminKeys, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await lockAdminKeys(connection, transaction);
        var at = UnixMs.From(now);
        var role = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT role FROM api_keys WHERE id = @id AND revoked_at IS NULL", new { id }, transaction);
        if (role is null)
        {
            return false;
        }

        if (role == nameof(Role.Admin) && await ActiveAdminsAsync(connection, transaction, at) <= 1)
        {
            throw new ConflictException($"API key {id} is the last active admin key; create another admin key before revoking it");
        }

        await connection.ExecuteAsync("UPDATE api_keys SET revoked_at = @at WHERE id = @id", new { id, at }, transaction);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "api-key", id, "revoked");
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public static async Task<bool> AnyAsync(IDbConnection connection) =>
        await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM api_keys") > 0;

    private static Task<long> ActiveAdminsAsync(IDbConnection connection, IDbTransaction transaction, long at) =>
        connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM api_keys WHERE role = 'Admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)", new { at }, transaction);
}
