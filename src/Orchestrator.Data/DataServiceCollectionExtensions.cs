using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Access;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Scans;
using Orchestrator.Data.Sqlite;
using Orchestrator.Data.Traffic;
using Orchestrator.Data.Windows;

namespace Orchestrator.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers the SQLite stores over the database file at <paramref name="path"/>.</summary>
    /// <param name="busyTimeout">How long a write waits for a lock; see <see cref="Database(string, TimeSpan?)"/>.</param>
    public static IServiceCollection AddOrchestratorSqlite(this IServiceCollection services, string path, TimeSpan? busyTimeout = null)
    {
        services.AddSingleton(new Database(path, busyTimeout));
        services.AddSingleton<IEndpointStore, SqliteEndpointStore>();
        services.AddSingleton<IGroupStore, SqliteGroupStore>();
        services.AddSingleton<IWindowStore, SqliteWindowStore>();
        services.AddSingleton<IRunStore, SqliteRunStore>();
        services.AddSingleton<IAuditLog, SqliteAuditLog>();
        services.AddSingleton<IAgentStore, SqliteAgentStore>();
        services.AddSingleton<ITrafficStore, SqliteTrafficStore>();
        services.AddSingleton<IScanStore, SqliteScanStore>();
        services.AddSingleton<IApiKeyStore, SqliteApiKeyStore>();
        services.AddSingleton<Reports.IRunReportStore, Reports.SqliteRunReportStore>();
        services.AddSingleton<DeliveryOptimization.IDeliveryOptimizationStore, DeliveryOptimization.SqliteDeliveryOptimizationStore>();
        services.AddSingleton<Notifications.IWebhookStore, Notifications.SqliteWebhookStore>();
        services.AddSingleton<Notifications.IHookCallStore, Notifications.SqliteHookCallStore>();
        services.AddSingleton<Metrics.IFleetGauges, Metrics.SqliteFleetGauges>();
        return services;
    }
}
