using System.Data.Common;
using Orchestrator.Data.Notifications;

namespace Orchestrator.Data.Storage;

/// <summary>The webhook store of both backends, written once (docs/decisions.md, "Shared Dapper statements"): each backend derives
/// from it with its connections and its dialect.</summary>
internal abstract class DapperWebhookStore(ISqlDialect dialect) : IWebhookStore
{
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public async Task<WebhookRecord> CreateAsync(NewWebhook webhook, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.CreateAsync(connection, webhook, actor, now, dialect, cancellationToken);
    }

    public async Task<WebhookRecord?> UpdateAsync(long id, NewWebhook webhook, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.UpdateAsync(connection, id, webhook, actor, now, dialect, cancellationToken);
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.DeleteAsync(connection, id, actor, now, cancellationToken);
    }

    public async Task<WebhookRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.GetAsync(connection, id);
    }

    public async Task<IReadOnlyList<WebhookRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.ListAsync(connection, dialect);
    }

    public async Task<bool> QueueDeliveryAsync(QueuedDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.QueueDeliveryAsync(connection, delivery);
    }

    public async Task SettleDeliveryAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await WebhookQueries.SettleDeliveryAsync(connection, deliveryId, at);
    }

    public async Task<bool> IsDeliverySettledAsync(string deliveryId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.IsDeliverySettledAsync(connection, deliveryId);
    }

    public async Task<IReadOnlyList<QueuedDelivery>> ListUnsettledDeliveriesAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.ListUnsettledDeliveriesAsync(connection, limit);
    }

    public async Task RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        await using var connection = await OpenAsync(cancellationToken);
        await WebhookQueries.RecordAttemptAsync(connection, attempt);
    }

    public async Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsAsync(long webhookId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.ListAttemptsAsync(connection, webhookId, limit);
    }

    public async Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsForRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookQueries.ListAttemptsForRunAsync(connection, runId);
    }
}
