using System.Data;
using System.Data.Common;
using Dapper;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Windows;
using static Orchestrator.Data.Storage.WindowRows;

namespace Orchestrator.Data.Storage;

/// <summary>The window store, written once: its SQL is the same in both dialects but for <see cref="ISqlDialect"/> and the
/// insert of a window's group links, which each backend passes in (docs/decisions.md, "Shared Dapper statements").</summary>
internal static class WindowQueries
{
    private const string Columns = "id AS Id, definition AS Definition, revision AS Revision, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>Inserts the links of window <c>windowId</c> to the distinct groups given.</summary>
    internal delegate Task LinkGroups(IDbConnection connection, IDbTransaction transaction, long windowId, IReadOnlyList<long> groupIds);

    public static async Task<WindowRecord> CreateAsync(
        DbConnection connection, WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, ISqlDialect dialect, LinkGroups linkGroups, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await UniqueNameAsync(window, dialect, () => connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO windows (name, enabled, definition, revision, created_at, updated_at)
            VALUES (@Name, @enabled, @definition, 1, @now, @now) RETURNING id
            """,
            new { window.Name, enabled = window.Enabled ? 1L : 0L, definition = Json.Write(window), now = UnixMs.From(now) },
            transaction));
        await linkGroups(connection, transaction, id, groupIds);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "window", id, "created", window);
        var record = await GetAsync(connection, id, transaction);
        await transaction.CommitAsync(cancellationToken);
        return record!;
    }

    public static async Task<WindowRecord?> UpdateAsync(
        DbConnection connection, long id, WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, ISqlDialect dialect, LinkGroups linkGroups, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await UniqueNameAsync(window, dialect, () => connection.ExecuteAsync(
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
        await linkGroups(connection, transaction, id, groupIds);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "window", id, "updated", window);
        var record = await GetAsync(connection, id, transaction);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }

    public static async Task<bool> DeleteAsync(DbConnection connection, long id, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
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

    public static async Task<IReadOnlyList<WindowRecord>> ListAsync(IDbConnection connection, ISqlDialect dialect) =>
        (await connection.QueryAsync<Row>($"SELECT {Columns} FROM windows WHERE deleted_at IS NULL ORDER BY lower(name){dialect.ByteOrder}"))
            .Select(r => r.ToRecord()).ToList();

    public static async Task<WindowRecord?> GetAsync(IDbConnection connection, long id, IDbTransaction? transaction) =>
        (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM windows WHERE id = @id AND deleted_at IS NULL", new { id }, transaction))?.ToRecord();

    private static async Task<T> UniqueNameAsync<T>(WindowDefinition window, ISqlDialect dialect, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (DbException e) when (dialect.IsUniqueViolation(e))
        {
            throw new ConflictException($"a window named '{window.Name}' already exists");
        }
    }
}
