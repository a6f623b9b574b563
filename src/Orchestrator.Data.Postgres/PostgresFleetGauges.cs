using System.Data.Common;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresFleetGauges(PostgresDatabase database) : DapperFleetGauges
{
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);
}
