using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Groups;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Storage;
using static Orchestrator.Data.Storage.GroupRows;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteGroupStore(SqliteDatabase database) : IGroupStore
{
    private const string Columns =
        "id AS Id, name AS Name, description AS Description, static_members AS StaticMembers, cidrs AS Cidrs, tags AS Tags, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public async Task<GroupRecord> CreateAsync(GroupDefinition group, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long id;
        try
        {
            id = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO groups (name, description, static_members, cidrs, tags, created_at, updated_at)
                VALUES (@Name, @Description, @staticMembers, @cidrs, @tags, @now, @now) RETURNING id
                """,
                Parameters(group, now), transaction);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == 2067)
        {
            throw new ConflictException($"a group named '{group.Name}' already exists");
        }

        await AuditQueries.WriteAsync(connection, transaction, now, actor, "group", id, "created", group);
        var record = await GetAsync(connection, id, transaction);
        await transaction.CommitAsync(cancellationToken);
        return record!;
    }

    public async Task<GroupRecord?> UpdateAsync(long id, GroupDefinition group, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int changed;
        try
        {
            changed = await connection.ExecuteAsync(
                """
                UPDATE groups SET name = @Name, description = @Description, static_members = @staticMembers, cidrs = @cidrs,
                                  tags = @tags, updated_at = @now
                WHERE id = @id
                """,
                new DynamicParameters(Parameters(group, now)) { RemoveUnused = false }.With("id", id), transaction);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == 2067)
        {
            throw new ConflictException($"a group named '{group.Name}' already exists");
        }

        if (changed == 0)
        {
            return null;
        }

        await AuditQueries.WriteAsync(connection, transaction, now, actor, "group", id, "updated", group);
        var record = await GetAsync(connection, id, transaction);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var users = (await connection.QueryAsync<string>(
            """
            SELECT w.name FROM window_groups wg JOIN windows w ON w.id = wg.window_id
            WHERE wg.group_id = @id AND w.deleted_at IS NULL ORDER BY w.name
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

    public async Task<GroupRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GetAsync(connection, id, null);
    }

    public async Task<IReadOnlyList<GroupRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>($"SELECT {Columns} FROM groups ORDER BY lower(name)")).Select(r => r.ToRecord()).ToList();
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

    private static async Task<GroupRecord?> GetAsync(IDbConnection connection, long id, IDbTransaction? transaction) =>
        (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM groups WHERE id = @id", new { id }, transaction))?.ToRecord();
}
