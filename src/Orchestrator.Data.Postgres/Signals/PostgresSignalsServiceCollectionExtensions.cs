using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Data.Keys;
using Orchestrator.Data.Postgres.Keys;
using Orchestrator.Data.Signals;

namespace Orchestrator.Data.Postgres.Signals;

public static class PostgresSignalsServiceCollectionExtensions
{
    /// <summary>
    /// Signals between the server nodes of one PostgreSQL database (LISTEN/NOTIFY) as the <see cref="IClusterSignals"/>.
    /// The host runs <see cref="IClusterSignals.ListenAsync"/> in the background.
    /// </summary>
    public static IServiceCollection AddOrchestratorPostgresSignals(this IServiceCollection services, string connectionString, Action<PostgresSignalsOptions>? configure = null)
    {
        var options = new PostgresSignalsOptions();
        configure?.Invoke(options);
        services.AddSingleton<IClusterSignals>(sp => new PostgresClusterSignals(
            connectionString,
            options,
            sp.GetService<ILogger<PostgresClusterSignals>>() ?? NullLogger<PostgresClusterSignals>.Instance,
            sp.GetService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// What several nodes on one database share beyond the stores: the cluster signals (LISTEN/NOTIFY) and the Data
    /// Protection key ring (<see cref="IKeyRingStore"/> in table key_ring). Call after AddOrchestratorPostgres.
    /// </summary>
    public static IServiceCollection AddOrchestratorPostgresCluster(this IServiceCollection services, string connectionString, Action<PostgresSignalsOptions>? configure = null)
    {
        services.AddOrchestratorPostgresSignals(connectionString, configure);
        services.AddSingleton<IKeyRingStore>(sp => new PostgresKeyRingStore(sp.GetRequiredService<PostgresDatabase>().DataSource));
        return services;
    }
}
