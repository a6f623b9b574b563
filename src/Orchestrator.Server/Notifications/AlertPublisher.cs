using Hangfire;
using Orchestrator.Data.Notifications;

namespace Orchestrator.Server.Notifications;

/// <summary>
/// Hands an event to every enabled webhook subscribed to it: one Hangfire delivery job each, on the notifications
/// queue. Publishing only reads the webhook list and enqueues; it never calls a receiver, and never throws into the
/// run lifecycle that publishes.
/// </summary>
internal sealed class AlertPublisher(IWebhookStore webhooks, IBackgroundJobClient jobs, ILogger<AlertPublisher> log)
{
    public async Task PublishAsync(NotificationEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        try
        {
            foreach (var webhook in await webhooks.ListAsync())
            {
                if (webhook.Enabled && Subscribes(webhook, e.Event))
                {
                    Enqueue(webhook.Id, e);
                }
            }
        }
        catch (Exception ex)
        {
            // Catch-all on purpose: an alert that cannot be queued is logged; the run it is about goes on regardless.
            log.LogError(ex, "Event {Event} of run {RunId} could not be queued for webhooks", e.Event, e.RunId);
        }
    }

    /// <summary>Queues one delivery of <paramref name="e"/> to the webhook, whatever it subscribes to (the test route).</summary>
    public string Enqueue(long webhookId, NotificationEvent e)
    {
        var deliveryId = Guid.NewGuid().ToString("N");
        jobs.Enqueue<WebhookDeliveryJob>(NotificationOptions.Queue, j => j.DeliverAsync(webhookId, deliveryId, e));
        return deliveryId;
    }

    private static bool Subscribes(WebhookRecord webhook, string eventName) =>
        webhook.Events.Any(s => s == NotificationEvents.Wildcard || string.Equals(s, eventName, StringComparison.Ordinal));
}
