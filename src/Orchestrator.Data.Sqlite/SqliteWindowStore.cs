using System.Data;
using Dapper;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Storage;
using Orchestrator.Data.Windows;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteWindowStore(SqliteDatabase database) : IWindowStore
{
    public async Task<WindowRecord> CreateAsync(WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(groupIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WindowQueries.CreateAsync(connection, window, groupIds, actor, now, SqliteDialect.Instance, LinkGroupsAsync, cancellationToken);
    }

    public async Task<WindowRecord?> UpdateAsync(long id, WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(groupIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WindowQueries.UpdateAsync(connection, id, window, groupIds, actor, now, SqliteDialect.Instance, LinkGroupsAsync, cancellationToken);
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WindowQueries.DeleteAsync(connection, id, actor, now, cancellationToken);
    }

    public async Task<WindowRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WindowQueries.GetAsync(connection, id, null);
    }

    public async Task<IReadOnlyList<WindowRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WindowQueries.ListAsync(connection, SqliteDialect.Instance);
    }

    private static async Task LinkGroupsAsync(IDbConnection connection, IDbTransaction transaction, long windowId, IReadOnlyList<long> groupIds)
    {
        foreach (var groupId in groupIds.Distinct())
        {
            await connection.ExecuteAsync("INSERT INTO window_groups (window_id, group_id) VALUES (@windowId, @groupId)", new { windowId, groupId }, transaction);
        }
    }
}
