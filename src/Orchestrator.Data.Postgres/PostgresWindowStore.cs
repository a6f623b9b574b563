using System.Data.Common;
using System.Data;
using Dapper;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresWindowStore(PostgresDatabase database) : DapperWindowStore(PostgresDialect.Instance)
{
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    protected override Task LinkGroupsAsync(IDbConnection connection, IDbTransaction transaction, long windowId, IReadOnlyList<long> groupIds) =>
        groupIds.Count == 0
            ? Task.CompletedTask
            : connection.ExecuteAsync(
                "INSERT INTO window_groups (window_id, group_id) SELECT @windowId, g FROM unnest(@groupIds) AS g",
                new { windowId, groupIds = groupIds.Distinct().ToArray() }, transaction);
}
