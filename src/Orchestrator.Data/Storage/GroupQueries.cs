using System.Data;
using System.Data.Common;
using Dapper;
using Orchestrator.Core.Groups;
using Orchestrator.Data.Groups;
using static Orchestrator.Data.Storage.GroupRows;

namespace Orchestrator.Data.Storage;

/// <summary>The group store, written once: its SQL is the same in both dialects but for <see cref="ISqlDialect"/>
/// (docs/decisions.md, "Shared Dapper statements").</summary>
internal static class GroupQueries
{
    private const string Columns =
        "id AS Id, name AS Name, description AS Description, static_members AS StaticMembers, cidrs AS Cidrs, tags AS Tags, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public static async Task<GroupRecord> CreateAsync(DbConnection connection, GroupDefinition group, string actor, DateTimeOffset now, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await UniqueNameAsync(group, dialect, () => connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO groups (name, description, static_members, cidrs, tags, created_at, updated_at)
            VALUES (@Name, @Description, @staticMembers, @cidrs, @tags, @now, @now) RETURNING id
            """,
            Parameters(group, now), transaction));
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "group", id, "created", group);
        var record = await GetAsync(connection, id, transaction);
        await transaction.CommitAsync(cancellationToken);
        return record!;
    }

    public static async Task<GroupRecord?> UpdateAsync(DbConnection connection, long id, GroupDefinition group, string actor, DateTimeOffset now, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await UniqueNameAsync(group, dialect, () => connection.ExecuteAsync(
            """
            UPDATE groups SET name = @Name, description = @Description, static_members = @staticMembers, cidrs = @cidrs,
                              tags = @tags, updated_at = @now
            WHERE id = @id
            """,
            new DynamicParameters(Parameters(group, now)) { RemoveUnused = false }.With("id", id), transaction));
        if (changed == 0)
        {
            return null;
        }

        await AuditQueries.WriteAsync(connection, transaction, now, actor, "group", id, "updated", group);
        var record = await GetAsync(connection, id, transaction);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }

    public static async Task<bool> DeleteAsync(DbConnection connection, long id, string actor, DateTimeOffset now, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Locking the group first makes a window naming it at the same time (on another node) wait (its link's foreign
        // key needs the row) and then fail, instead of both committing: the check below sees every link made before.
        await dialect.LockRowAsync(connection, transaction, "groups", id);
        var users = (await connection.QueryAsync<string>(
            $"""
            SELECT w.name FROM window_groups wg JOIN windows w ON w.id = wg.window_id
            WHERE wg.group_id = @id AND w.deleted_at IS NULL ORDER BY w.name{dialect.ByteOrder}
            """, new { id }, transaction)).ToList();
        if (users.Count > 0)
        {
            throw new ConflictException($"group {id} is used by window(s) {string.Join(", ", users.Select(u => $"'{u}'"))}; remove it from them first");
        }

        await connection.ExecuteAsync("DELETE FROM window_groups WHERE group_id = @id", new { id }, transaction);
        var deleted = await connection.ExecuteAsync("DELETE FROM groups WHERE id = @id", new { id }, transaction);
        if (deleted > 0)
        {
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "group", id, "deleted");
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    public static async Task<IReadOnlyList<GroupRecord>> ListAsync(IDbConnection connection, ISqlDialect dialect) =>
        (await connection.QueryAsync<Row>($"SELECT {Columns} FROM groups ORDER BY lower(name){dialect.ByteOrder}")).Select(r => r.ToRecord()).ToList();

    public static async Task<GroupRecord?> GetAsync(IDbConnection connection, long id, IDbTransaction? transaction) =>
        (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM groups WHERE id = @id", new { id }, transaction))?.ToRecord();

    private static async Task<T> UniqueNameAsync<T>(GroupDefinition group, ISqlDialect dialect, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (DbException e) when (dialect.IsUniqueViolation(e))
        {
            throw new ConflictException($"a group named '{group.Name}' already exists");
        }
    }

    private static object Parameters(GroupDefinition group, DateTimeOffset now) => new
    {
        group.Name,
        group.Description,
        staticMembers = Json.Write(group.StaticMembers),
        cidrs = Json.Write(group.Cidrs),
        tags = Json.Write(group.Tags),
        now = UnixMs.From(now),
    };
}
