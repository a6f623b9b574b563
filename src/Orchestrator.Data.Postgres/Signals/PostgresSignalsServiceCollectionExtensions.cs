using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
}
