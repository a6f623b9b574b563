using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Notifications;
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

    /// <summary>Waits until the outbox holds no unsettled delivery: each one queued so far was made (its receiver has
    /// recorded it), given up, or dropped with its webhook. Hangfire's counts cannot say this: a job between its fetch
    /// and its Processing state is neither enqueued nor processing, and "nothing more was sent" would pass too soon.</summary>
    public static async Task DeliveriesMadeAsync(IServiceProvider services)
    {
        var outbox = services.GetRequiredService<IWebhookStore>();
        await ApiClient.EventuallyAsync(
            async () => (await outbox.ListUnsettledDeliveriesAsync(100)).Count,
            n => n == 0,
            TimeSpan.FromSeconds(20),
            "every queued delivery to be settled");
    }

    public static async Task<long> RegisterAsync(HttpClient client, string url, string[] events, string format = "json", string name = "on-call")
    {
        var created = await client.CreateAsync("/api/v1/webhooks", new { name, url, format, events, secret = Secret });
        return (long)created["id"]!;
    }
}
