using Microsoft.Extensions.Options;
using Orchestrator.Data.Metrics;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Metrics;

/// <summary>
/// The "now" values of /metrics. Observable gauges are read synchronously inside the exporter's collection, where a
/// database query cannot be awaited; the scrape refreshes this snapshot first (<see cref="MetricsEndpoint"/>).
/// </summary>
internal sealed class FleetSnapshot(IFleetGauges gauges, TimeProvider time, IOptions<OrchestratorOptions> options)
{
    private volatile FleetGauges _current = new(new Dictionary<string, long>(), 0, 0, 0);

    public FleetGauges Current => _current;

    public async Task RefreshAsync(CancellationToken cancellationToken) =>
        _current = await gauges.ReadAsync(time.GetUtcNow(), options.Value.AgentOfflineAfter, cancellationToken);
}
