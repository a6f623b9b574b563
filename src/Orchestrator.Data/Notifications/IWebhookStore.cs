namespace Orchestrator.Data.Notifications;

/// <summary>Webhook targets and their delivery attempts.</summary>
public interface IWebhookStore
{
    /// <exception cref="ConflictException">the name is taken.</exception>
    Task<WebhookRecord> CreateAsync(NewWebhook webhook, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <returns>null when no such webhook.</returns>
    /// <exception cref="ConflictException">the name is taken.</exception>
    Task<WebhookRecord?> UpdateAsync(long id, NewWebhook webhook, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes the target; its deliveries stay as history.</summary>
    Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<WebhookRecord?> GetAsync(long id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WebhookRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Records a delivery as queued (the outbox). Until it is settled, a server start queues it again when no job
    /// holds it.</summary>
    /// <returns>false when a delivery with its id was recorded before (which is kept as it was).</returns>
    Task<bool> QueueDeliveryAsync(QueuedDelivery delivery, CancellationToken cancellationToken = default);

    /// <summary>The delivery was made, given up after its last attempt, or its webhook is gone.</summary>
    Task SettleDeliveryAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Whether the outbox holds the delivery as settled (false for one it does not hold).</summary>
    Task<bool> IsDeliverySettledAsync(string deliveryId, CancellationToken cancellationToken = default);

    /// <summary>Deliveries queued and not settled, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<QueuedDelivery>> ListUnsettledDeliveriesAsync(int limit, CancellationToken cancellationToken = default);

    Task RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsAsync(long webhookId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every attempt made for events of the run, oldest first.</summary>
    Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsForRunAsync(long runId, CancellationToken cancellationToken = default);
}
