using Orchestrator.Data.Notifications;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresWebhookStore(PostgresDatabase database) : IWebhookStore
{
    public async Task<WebhookRecord> CreateAsync(NewWebhook webhook, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WebhookQueries.CreateAsync(connection, webhook, actor, now, PostgresDialect.Instance, cancellationToken);
    }

    public async Task<WebhookRecord?> UpdateAsync(long id, NewWebhook webhook, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WebhookQueries.UpdateAsync(connection, id, webhook, actor, now, PostgresDialect.Instance, cancellationToken);
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WebhookQueries.DeleteAsync(connection, id, actor, now, cancellationToken);
    }

    public async Task<WebhookRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WebhookQueries.GetAsync(connection, id);
    }

    public async Task<IReadOnlyList<WebhookRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WebhookQueries.ListAsync(connection, PostgresDialect.Instance);
    }

    public async Task RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        await using var connection = await database.OpenAsync(cancellationToken);
        await WebhookQueries.RecordAttemptAsync(connection, attempt);
    }

    public async Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsAsync(long webhookId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WebhookQueries.ListAttemptsAsync(connection, webhookId, limit);
    }

    public async Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsForRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await WebhookQueries.ListAttemptsForRunAsync(connection, runId);
    }
}
