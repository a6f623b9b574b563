using Hangfire;
using Orchestrator.Server.Hooks;

namespace Orchestrator.Server.Notifications;

/// <summary>Registers webhooks, window hooks and the Hangfire server of the notifications queue.</summary>
internal static class NotificationsSetup
{
    public static IServiceCollection AddOrchestratorNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(NotificationOptions.Section).Get<NotificationOptions>() ?? new NotificationOptions();
        services.AddOutboundHttp();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<AlertPublisher>();
        services.AddSingleton<DeliveryRecovery>();
        services.AddSingleton<AlertRecovery>();
        services.AddSingleton<RunAlerts>();
        services.AddTransient<WebhookDeliveryJob>();
        services.AddSingleton<HookCaller>();
        services.AddTransient<PreOpenHookJob>();
        // The runs whose hooks this process is calling, shared by every execution of each hook job.
        services.AddKeyedSingleton<Runs.RunsInHand>(HookKinds.PreOpen);
        services.AddKeyedSingleton<Runs.RunsInHand>(HookKinds.PostClose);
        services.AddTransient<PostCloseHookJob>();

        // Its own workers: deliveries that wait on slow receivers (never take the workers that open
        // and close runs on the default queue.
        services.AddHangfireServer((sp, o) =>
        {
            o.WorkerCount = options.Workers;
            o.Queues = [NotificationOptions.Queue];
            o.SchedulePollingInterval = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Hosting.OrchestratorOptions>>().Value.JobPollInterval;
            o.ServerName = $"orchestrator-notifications-{Environment.MachineName}";
        });
        services.AddHangfireServer((sp, o) =>
        {
            o.WorkerCount = options.HookWorkers;
            o.Queues = [NotificationOptions.HookQueue];
            o.SchedulePollingInterval = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Hosting.OrchestratorOptions>>().Value.JobPollInterval;
            o.ServerName = $"orchestrator-hooks-{Environment.MachineName}";
        });
        return services;
    }
}
