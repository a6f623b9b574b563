using Orchestrator.Core.Groups;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteGroupStore(SqliteDatabase database) : IGroupStore
{
    public async Task<GroupRecord> CreateAsync(GroupDefinition group, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GroupQueries.CreateAsync(connection, group, actor, now, SqliteDialect.Instance, cancellationToken);
    }

    public async Task<GroupRecord?> UpdateAsync(long id, GroupDefinition group, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GroupQueries.UpdateAsync(connection, id, group, actor, now, SqliteDialect.Instance, cancellationToken);
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GroupQueries.DeleteAsync(connection, id, actor, now, SqliteDialect.Instance, cancellationToken);
    }

    public async Task<GroupRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GroupQueries.GetAsync(connection, id, null);
    }

    public async Task<IReadOnlyList<GroupRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GroupQueries.ListAsync(connection, SqliteDialect.Instance);
    }
}
