using Orchestrator.Data.Metrics;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteFleetGauges(SqliteDatabase database) : IFleetGauges
{
    public async Task<FleetGauges> ReadAsync(DateTimeOffset now, TimeSpan agentOfflineAfter, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await FleetGaugeQueries.ReadAsync(connection, now, agentOfflineAfter);
    }
}
