using System.Data.Common;
using System.Data;
using Dapper;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteWindowStore(SqliteDatabase database) : DapperWindowStore(SqliteDialect.Instance)
{
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    protected override async Task LinkGroupsAsync(IDbConnection connection, IDbTransaction transaction, long windowId, IReadOnlyList<long> groupIds)
    {
        foreach (var groupId in groupIds.Distinct())
        {
            await connection.ExecuteAsync("INSERT INTO window_groups (window_id, group_id) VALUES (@windowId, @groupId)", new { windowId, groupId }, transaction);
        }
    }
}
