using Dapper;
using Npgsql;
using Orchestrator.Data.Access;
using Orchestrator.Data.Storage;
using static Orchestrator.Data.Storage.ApiKeyRows;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresApiKeyStore(PostgresDatabase database) : IApiKeyStore
{
    private const string Columns =
        "id AS Id, name AS Name, role AS Role, created_at AS CreatedAt, created_by AS CreatedBy, expires_at AS ExpiresAt, revoked_at AS RevokedAt, last_used_at AS LastUsedAt";

    public async Task<ApiKeyRecord> CreateAsync(string name, string keyHash, Role role, DateTimeOffset? expiresAt, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
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
        catch (PostgresException e) when (e.SqlState == Sql.UniqueViolation)
        {
            throw new ConflictException($"an active API key is already named '{name}'");
        }

        await AuditQueries.WriteAsync(connection, transaction, now, actor, "api-key", id, "created", new { name, role = role.ToString(), expiresAt });
        var row = await connection.QuerySingleAsync<Row>($"SELECT {Columns} FROM api_keys WHERE id = @id", new { id }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return row.ToRecord();
    }

    public async Task<ApiKeyRecord?> FindActiveAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var at = UnixMs.From(now);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM api_keys WHERE key_hash = @keyHash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)",
            new { keyHash, at });
        if (row is not null && (row.LastUsedAt is null || at - row.LastUsedAt > 60_000))
        {
            // Coarse on purpose: one write a minute per key is enough to see which keys are in use. Never moves it back
            // (nodes' clocks differ a little and requests finish out of order).
            await connection.ExecuteAsync(
                "UPDATE api_keys SET last_used_at = @at WHERE id = @Id AND (last_used_at IS NULL OR last_used_at < @at)", new { at, row.Id });
        }

        return row?.ToRecord();
    }

    public async Task<ApiKeyRecord?> GetActiveAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM api_keys WHERE id = @id AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)",
            new { id, at = UnixMs.From(now) });
        return row?.ToRecord();
    }

    public async Task<ApiKeyRecord?> ChangeRoleAsync(long id, Role role, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two demotions (or a demotion and a revocation) of the last two admin keys on two nodes would each see the other
        // admin and both go through: they take turns, so the second sees the first's change.
        await AdvisoryLocks.TakeAsync(connection, transaction, AdvisoryLocks.ApiKeys);
        var at = UnixMs.From(now);
        var current = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT role FROM api_keys WHERE id = @id AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)", new { id, at }, transaction);
        if (current is null)
        {
            return null;
        }

        if (current == nameof(Role.Admin) && role != Role.Admin)
        {
            var admins = await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM api_keys WHERE role = 'Admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)", new { at }, transaction);
            if (admins <= 1)
            {
                throw new ConflictException($"API key {id} is the last active admin key; give another key the admin role first");
            }
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

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>($"SELECT {Columns} FROM api_keys ORDER BY id")).Select(r => r.ToRecord()).ToList();
    }

    public async Task<bool> RevokeAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AdvisoryLocks.TakeAsync(connection, transaction, AdvisoryLocks.ApiKeys);
        var at = UnixMs.From(now);
        var role = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT role FROM api_keys WHERE id = @id AND revoked_at IS NULL", new { id }, transaction);
        if (role is null)
        {
            return false;
        }

        var admins = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM api_keys WHERE role = 'Admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)", new { at }, transaction);
        if (role == nameof(Role.Admin) && admins <= 1)
        {
            throw new ConflictException($"API key {id} is the last active admin key; create another admin key before revoking it");
        }

        await connection.ExecuteAsync("UPDATE api_keys SET revoked_at = @at WHERE id = @id", new { id, at }, transaction);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "api-key", id, "revoked");
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM api_keys)");
    }
}
