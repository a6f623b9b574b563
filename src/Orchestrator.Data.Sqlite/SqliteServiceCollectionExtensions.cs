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

namespace Orchestrator.Data.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>Registers the SQLite stores over the database file at <paramref name="path"/>.</summary>
    /// <param name="busyTimeout">How long a write waits for a lock; see <see cref="SqliteDatabase(string, TimeSpan?)"/>.</param>
    public static IServiceCollection AddOrchestratorSqlite(this IServiceCollection services, string path, TimeSpan? busyTimeout = null)
    {
        services.AddSingleton(new SqliteDatabase(path, busyTimeout));
        services.AddSingleton<IEndpointStore, SqliteEndpointStore>();
        services.AddSingleton<IGroupStore, SqliteGroupStore>();
        services.AddSingleton<IWindowStore, SqliteWindowStore>();
        services.AddSingleton<IRunStore, SqliteRunStore>();
        services.AddSingleton<IAuditLog, SqliteAuditLog>();
        services.AddSingleton<IAgentStore, SqliteAgentStore>();
        services.AddSingleton<ITrafficStore, SqliteTrafficStore>();
        services.AddSingleton<IScanStore, SqliteScanStore>();
        services.AddSingleton<IApiKeyStore, SqliteApiKeyStore>();
        services.AddSingleton<Reports.IRunReportStore, SqliteRunReportStore>();
        services.AddSingleton<DeliveryOptimization.IDeliveryOptimizationStore, SqliteDeliveryOptimizationStore>();
        services.AddSingleton<Notifications.IWebhookStore, SqliteWebhookStore>();
        services.AddSingleton<Notifications.IHookCallStore, SqliteHookCallStore>();
        services.AddSingleton<Metrics.IFleetGauges, SqliteFleetGauges>();
        return services;
    }
}
