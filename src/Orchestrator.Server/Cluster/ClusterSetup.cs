using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Data.Signals;

namespace Orchestrator.Server.Cluster;

internal static class ClusterSetup
{
    /// <summary>
    /// The signals between server nodes: in-process (one node) unless the storage registered its own (PostgreSQL:
    /// LISTEN/NOTIFY), and the background listener that receives the other nodes' signals.
    /// </summary>
    public static IServiceCollection AddOrchestratorClusterSignals(this IServiceCollection services)
    {
        services.TryAddSingleton<IClusterSignals, InProcessClusterSignals>();
        services.AddHostedService<ClusterSignalsListener>();
        return services;
    }
}
