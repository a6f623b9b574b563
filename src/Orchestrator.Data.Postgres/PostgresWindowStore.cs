using System.Data;
using Dapper;
using Npgsql;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Storage;
using Orchestrator.Data.Windows;
using static Orchestrator.Data.Storage.WindowRows;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresWindowStore(PostgresDatabase database) : IWindowStore
{
    private const string Columns = "id AS Id, definition AS Definition, revision AS Revision, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public async Task<WindowRecord> CreateAsync(WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(groupIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await UniqueNameAsync(window, async () => await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO windows (name, enabled, definition, revision, created_at, updated_at)
            VALUES (@Name, @enabled, @definition, 1, @now, @now) RETURNING id
            """,
            new { window.Name, enabled = window.Enabled ? 1L : 0L, definition = Json.Write(window), now = UnixMs.From(now) },
            transaction));
        await LinkGroupsAsync(connection, transaction, id, groupIds);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "window", id, "created", window);
        var record = await GetAsync(connection, id, transaction);
        await transaction.CommitAsync(cancellationToken);
        return record!;
    }

    public async Task<WindowRecord?> UpdateAsync(long id, WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(groupIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await UniqueNameAsync(window, () => connection.ExecuteAsync(
            """
            UPDATE windows SET name = @Name, enabled = @enabled, definition = @definition, revision = revision + 1, updated_at = @now
            WHERE id = @id AND deleted_at IS NULL
            """,
            new { id, window.Name, enabled = window.Enabled ? 1L : 0L, definition = Json.Write(window), now = UnixMs.From(now) },
            transaction));
        if (changed == 0)
        {
            return null;
        }

        await connection.ExecuteAsync("DELETE FROM window_groups WHERE window_id = @id", new { id }, transaction);
        await LinkGroupsAsync(connection, transaction, id, groupIds);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "window", id, "updated", window);
        var record = await GetAsync(connection, id, transaction);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(
            "UPDATE windows SET deleted_at = @now, revision = revision + 1 WHERE id = @id AND deleted_at IS NULL",
            new { id, now = UnixMs.From(now) }, transaction);
        if (deleted > 0)
        {
            await connection.ExecuteAsync("DELETE FROM window_groups WHERE window_id = @id", new { id }, transaction);
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "window", id, "deleted");
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    public async Task<WindowRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GetAsync(connection, id, null);
    }

    public async Task<IReadOnlyList<WindowRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>($"SELECT {Columns} FROM windows WHERE deleted_at IS NULL ORDER BY lower(name) COLLATE \"C\""))
            .Select(r => r.ToRecord()).ToList();
    }

    private static async Task<T> UniqueNameAsync<T>(WindowDefinition window, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (PostgresException e) when (e.SqlState == Sql.UniqueViolation)
        {
            throw new ConflictException($"a window named '{window.Name}' already exists");
        }
    }

    private static Task LinkGroupsAsync(IDbConnection connection, IDbTransaction transaction, long windowId, IReadOnlyList<long> groupIds) =>
        groupIds.Count == 0
            ? Task.CompletedTask
            : connection.ExecuteAsync(
                "INSERT INTO window_groups (window_id, group_id) SELECT @windowId, g FROM unnest(@groupIds) AS g",
                new { windowId, groupIds = groupIds.Distinct().ToArray() }, transaction);

    private static async Task<WindowRecord?> GetAsync(IDbConnection connection, long id, IDbTransaction? transaction) =>
        (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM windows WHERE id = @id AND deleted_at IS NULL", new { id }, transaction))?.ToRecord();
}
