using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Access;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Audit;
using Orchestrator.Data.DeliveryOptimization;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Metrics;
using Orchestrator.Data.Notifications;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Scans;
using Orchestrator.Data.Traffic;
using Orchestrator.Data.Windows;

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
        services.AddSingleton<IEndpointStore, PostgresEndpointStore>();
        services.AddSingleton<IGroupStore, PostgresGroupStore>();
        services.AddSingleton<IWindowStore, PostgresWindowStore>();
        services.AddSingleton<IRunStore, PostgresRunStore>();
        services.AddSingleton<IAuditLog, PostgresAuditLog>();
        services.AddSingleton<IScanStore, PostgresScanStore>();
        services.AddSingleton<IApiKeyStore, PostgresApiKeyStore>();
        services.AddSingleton<IAgentStore, PostgresAgentStore>();
        services.AddSingleton<ITrafficStore, PostgresTrafficStore>();
        services.AddSingleton<IRunReportStore, PostgresRunReportStore>();
        services.AddSingleton<IDeliveryOptimizationStore, PostgresDeliveryOptimizationStore>();
        services.AddSingleton<IWebhookStore, PostgresWebhookStore>();
        services.AddSingleton<IHookCallStore, PostgresHookCallStore>();
        services.AddSingleton<IFleetGauges, PostgresFleetGauges>();
        return services;
    }
}
