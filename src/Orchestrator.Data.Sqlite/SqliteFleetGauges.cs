using System.Data.Common;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteFleetGauges(SqliteDatabase database) : DapperFleetGauges
{
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);
}
