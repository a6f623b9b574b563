using System.Data.Common;
using Orchestrator.Data.Metrics;

namespace Orchestrator.Data.Storage;

/// <summary>The fleet gauges of both backends, written once (docs/decisions.md, "Shared Dapper statements"): each backend derives
/// from it with its connections.</summary>
internal abstract class DapperFleetGauges : IFleetGauges
{
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public async Task<FleetGauges> ReadAsync(DateTimeOffset now, TimeSpan agentOfflineAfter, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await FleetGaugeQueries.ReadAsync(connection, now, agentOfflineAfter);
    }
}
