using System.Data.Common;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresGroupStore(PostgresDatabase database) : DapperGroupStore(PostgresDialect.Instance)
{
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);
}
