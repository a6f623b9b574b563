using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hangfire;
using Orchestrator.Data.Notifications;

namespace Orchestrator.Server.Notifications;

/// <summary>
/// Hands an event to every enabled webhook subscribed to it: one delivery each, recorded in the store's outbox and then
/// queued as a Hangfire job on the notifications queue. Publishing only reads the webhook list, records and queues; it
/// never calls a receiver. A delivery whose job is lost (a copy to PostgreSQL does not take Hangfire's jobs, a kill
/// between the record and the queuing) is queued again from the outbox at the next start (<see cref="DeliveryRecovery"/>).
/// </summary>
internal sealed class AlertPublisher(IWebhookStore webhooks, IBackgroundJobClient jobs, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Publishes an event that each webhook gets once however often it is published: one delivery per webhook whose id
    /// is derived from <paramref name="once"/> and the webhook, so a second publication (a job run again, on any node)
    /// finds the delivery recorded and queues nothing. Throws when a delivery cannot be recorded: the caller decides
    /// whether that fails its job (and the job is retried) or is only logged.
    /// </summary>
    /// <param name="once">What makes the event one of a kind, such as the run and the event name.</param>
    public async Task PublishOnceAsync(NotificationEvent e, string once)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentException.ThrowIfNullOrEmpty(once);
        foreach (var webhook in await webhooks.ListAsync())
        {
            if (webhook.Enabled && Subscribes(webhook, e.Event))
            {
                var deliveryId = OnceDeliveryId(once, webhook.Id);
                if (await webhooks.QueueDeliveryAsync(new QueuedDelivery(deliveryId, webhook.Id, JsonSerializer.Serialize(e, Json), time.GetUtcNow())))
                {
                    Enqueue(webhook.Id, deliveryId, e);
                }
            }
        }
    }

    /// <summary>32 hex digits, the shape of every other delivery id: the start of SHA-256 over the event's key and the webhook.</summary>
    internal static string OnceDeliveryId(string once, long webhookId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{once}\n{webhookId}")))[..32];

    /// <summary>Queues one delivery of <paramref name="e"/> to the webhook, whatever it subscribes to (the test route).</summary>
    public async Task<string> EnqueueAsync(long webhookId, NotificationEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var deliveryId = Guid.NewGuid().ToString("N");
        await webhooks.QueueDeliveryAsync(new QueuedDelivery(deliveryId, webhookId, JsonSerializer.Serialize(e, Json), time.GetUtcNow()));
        Enqueue(webhookId, deliveryId, e);
        return deliveryId;
    }

    /// <summary>Queues a delivery from the outbox again, under its own id (the receiver may have seen an attempt).</summary>
    /// <exception cref="JsonException">the stored event is not one.</exception>
    public void Requeue(QueuedDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var e = JsonSerializer.Deserialize<NotificationEvent>(delivery.Payload, Json)
            ?? throw new JsonException($"Delivery {delivery.DeliveryId}: the stored event is null");
        Enqueue(delivery.WebhookId, delivery.DeliveryId, e);
    }

    private void Enqueue(long webhookId, string deliveryId, NotificationEvent e) =>
        jobs.Enqueue<WebhookDeliveryJob>(NotificationOptions.Queue, j => j.DeliverAsync(webhookId, deliveryId, e));

    private static bool Subscribes(WebhookRecord webhook, string eventName) =>
        webhook.Events.Any(s => s == NotificationEvents.Wildcard || string.Equals(s, eventName, StringComparison.Ordinal));
}
