using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Notifications;

/// <summary>Servers whose webhooks may call the loopback receiver, with short retry delays.</summary>
internal static class Webhooks
{
    public const string Secret = "receiver-secret-0123456789";

    public static OrchestratorFactory Server(params (string Key, string Value)[] settings)
    {
        var factory = new OrchestratorFactory();
        factory.Settings["Orchestrator:Notifications:AllowLoopbackTargets"] = "true";
        factory.Settings["Orchestrator:Notifications:FirstRetryDelay"] = "00:00:00.200";
        factory.Settings["Orchestrator:Notifications:AttemptTimeout"] = "00:00:05";
        foreach (var (key, value) in settings)
        {
            factory.Settings[key] = value;
        }

        return factory;
    }

    /// <summary>Waits until no delivery is queued or being made.</summary>
    public static async Task DeliveriesMadeAsync(IServiceProvider services)
    {
        var monitor = services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await ApiClient.EventuallyAsync(
            () => Task.FromResult(monitor.EnqueuedCount(NotificationOptions.Queue)
                + monitor.ProcessingJobs(0, 100).Count(j => j.Value.Job?.Type == typeof(WebhookDeliveryJob))),
            n => n == 0,
            TimeSpan.FromSeconds(20),
            "every queued delivery to be made");
    }

    public static async Task<long> RegisterAsync(HttpClient client, string url, string[] events, string format = "json", string name = "on-call")
    {
        var created = await client.CreateAsync("/api/v1/webhooks", new { name, url, format, events, secret = Secret });
        return (long)created["id"]!;
    }
}
