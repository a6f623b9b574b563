using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Audit;

namespace Orchestrator.Data.Postgres;

public static class PostgresServiceCollectionExtensions
{
    /// <summary>Registers the PostgreSQL stores over the database at <paramref name="connectionString"/> (an Npgsql
    /// connection string; the stores use schema <see cref="PostgresDatabase.Schema"/>). Migrate it first with
    /// <see cref="PostgresMigrator"/>.</summary>
    public static IServiceCollection AddOrchestratorPostgres(this IServiceCollection services, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        // Registered through a factory so that the container disposes the data source (and its pooled connections).
        services.AddSingleton(_ => new PostgresDatabase(connectionString));
        services.AddSingleton<IAuditLog, PostgresAuditLog>();
        // pg-stores-a: IEndpointStore, IGroupStore, IWindowStore, IRunStore, IApiKeyStore, IScanStore follow.
        // pg-stores-b: IAgentStore, ITrafficStore, IRunReportStore, IDeliveryOptimizationStore, IWebhookStore, IHookCallStore, IFleetGauges.
        return services;
    }
}
