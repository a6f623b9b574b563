using Orchestrator.Data.Signals;

namespace Orchestrator.Server.Cluster;

/// <summary>Receives the other server nodes' signals for as long as the server runs (nothing to do on one node).</summary>
internal sealed class ClusterSignalsListener(IClusterSignals signals) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => signals.ListenAsync(stoppingToken);
}
