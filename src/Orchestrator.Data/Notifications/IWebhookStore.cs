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

    Task RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsAsync(long webhookId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every attempt made for events of the run, oldest first.</summary>
    Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsForRunAsync(long runId, CancellationToken cancellationToken = default);
}
