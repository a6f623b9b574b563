using System.Data;
using System.Data.Common;
using Dapper;
using Orchestrator.Data.Notifications;

namespace Orchestrator.Data.Storage;

/// <summary>The webhook store, written once: its SQL is the same in both dialects but for <see cref="ISqlDialect"/>
/// (docs/decisions.md, "Shared Dapper statements").</summary>
internal static class WebhookQueries
{
    internal const string Columns =
        "id AS Id, name AS Name, url AS Url, format AS Format, events AS Events, secret_protected AS ProtectedSecret, enabled AS Enabled, created_at AS CreatedAt, updated_at AS UpdatedAt";

    internal const string AttemptColumns =
        """
        d.id AS Id, d.webhook_id AS WebhookId, w.name AS WebhookName, d.delivery_id AS DeliveryId, d.event AS Event, d.run_id AS RunId, d.attempt AS Attempt,
        d.at AS At, d.status_code AS StatusCode, d.latency_ms AS LatencyMs, d.succeeded AS Succeeded, d.error AS Error
        """;

    public static async Task<WebhookRecord> CreateAsync(DbConnection connection, NewWebhook webhook, string actor, DateTimeOffset now, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await UniqueNameAsync(webhook.Name, dialect, () => connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO webhooks (name, url, format, events, secret_protected, enabled, created_at, updated_at)
            VALUES (@Name, @Url, @Format, @events, @ProtectedSecret, @enabled, @now, @now) RETURNING id
            """,
            new { webhook.Name, webhook.Url, webhook.Format, events = Json.Write(webhook.Events), webhook.ProtectedSecret, enabled = webhook.Enabled ? 1L : 0L, now = UnixMs.From(now) },
            transaction));
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "webhook", id, "created", Audited(webhook));
        await transaction.CommitAsync(cancellationToken);
        return (await GetAsync(connection, id))!;
    }

    public static async Task<WebhookRecord?> UpdateAsync(DbConnection connection, long id, NewWebhook webhook, string actor, DateTimeOffset now, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await UniqueNameAsync(webhook.Name, dialect, () => connection.ExecuteAsync(
            """
            UPDATE webhooks SET name = @Name, url = @Url, format = @Format, events = @events,
                secret_protected = COALESCE(@ProtectedSecret, secret_protected), enabled = @enabled, updated_at = @now
            WHERE id = @id AND deleted_at IS NULL
            """,
            new { id, webhook.Name, webhook.Url, webhook.Format, events = Json.Write(webhook.Events), webhook.ProtectedSecret, enabled = webhook.Enabled ? 1L : 0L, now = UnixMs.From(now) },
            transaction));
        if (changed == 0)
        {
            return null;
        }

        await AuditQueries.WriteAsync(connection, transaction, now, actor, "webhook", id, "updated", Audited(webhook));
        await transaction.CommitAsync(cancellationToken);
        return await GetAsync(connection, id);
    }

    public static async Task<bool> DeleteAsync(DbConnection connection, long id, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(
            "UPDATE webhooks SET deleted_at = @now WHERE id = @id AND deleted_at IS NULL", new { id, now = UnixMs.From(now) }, transaction);
        if (deleted > 0)
        {
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "webhook", id, "deleted");
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    public static async Task<WebhookRecord?> GetAsync(IDbConnection connection, long id) =>
        (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM webhooks WHERE id = @id AND deleted_at IS NULL", new { id }))?.ToRecord();

    public static async Task<IReadOnlyList<WebhookRecord>> ListAsync(IDbConnection connection, ISqlDialect dialect) =>
        (await connection.QueryAsync<Row>($"SELECT {Columns} FROM webhooks WHERE deleted_at IS NULL ORDER BY lower(name){dialect.ByteOrder}")).Select(r => r.ToRecord()).ToList();

    public static async Task<bool> QueueDeliveryAsync(IDbConnection connection, QueuedDelivery delivery) =>
        await connection.ExecuteAsync(
            """
            INSERT INTO webhook_outbox (delivery_id, webhook_id, payload, queued_at) VALUES (@DeliveryId, @WebhookId, @Payload, @queuedAt)
            ON CONFLICT (delivery_id) DO NOTHING
            """,
            new { delivery.DeliveryId, delivery.WebhookId, delivery.Payload, queuedAt = UnixMs.From(delivery.QueuedAt) }) == 1;

    public static Task SettleDeliveryAsync(IDbConnection connection, string deliveryId, DateTimeOffset at) =>
        connection.ExecuteAsync(
            "UPDATE webhook_outbox SET settled_at = @at WHERE delivery_id = @deliveryId AND settled_at IS NULL", new { deliveryId, at = UnixMs.From(at) });

    public static async Task<bool> IsDeliverySettledAsync(IDbConnection connection, string deliveryId) =>
        await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM webhook_outbox WHERE delivery_id = @deliveryId AND settled_at IS NOT NULL", new { deliveryId }) > 0;

    public static async Task<IReadOnlyList<QueuedDelivery>> ListUnsettledDeliveriesAsync(IDbConnection connection, int limit) =>
        (await connection.QueryAsync<(string DeliveryId, long WebhookId, string Payload, long QueuedAt)>(
            """
            SELECT delivery_id, webhook_id, payload, queued_at FROM webhook_outbox
            WHERE settled_at IS NULL ORDER BY queued_at, delivery_id LIMIT @limit
            """,
            new { limit })).Select(r => new QueuedDelivery(r.DeliveryId, r.WebhookId, r.Payload, UnixMs.To(r.QueuedAt))).ToList();

    public static Task RecordAttemptAsync(IDbConnection connection, DeliveryAttempt attempt) =>
        connection.ExecuteAsync(
            """
            INSERT INTO webhook_deliveries (webhook_id, delivery_id, event, run_id, attempt, at, status_code, latency_ms, succeeded, error)
            VALUES (@WebhookId, @DeliveryId, @Event, @RunId, @attemptNumber, @at, @statusCode, @LatencyMs, @succeeded, @Error)
            """,
            new
            {
                attempt.WebhookId, attempt.DeliveryId, attempt.Event, attempt.RunId, attemptNumber = (long)attempt.Attempt, at = UnixMs.From(attempt.At),
                statusCode = (long?)attempt.StatusCode, attempt.LatencyMs, succeeded = attempt.Succeeded ? 1L : 0L, attempt.Error,
            });

    public static async Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsAsync(IDbConnection connection, long webhookId, int limit)
    {
        var rows = await connection.QueryAsync<AttemptRow>(
            $"SELECT {AttemptColumns} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.webhook_id = @webhookId ORDER BY d.id DESC LIMIT @limit",
            new { webhookId, limit = Math.Clamp(limit, 1, 1_000) });
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public static async Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsForRunAsync(IDbConnection connection, long runId)
    {
        var rows = await connection.QueryAsync<AttemptRow>(
            $"SELECT {AttemptColumns} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.run_id = @runId ORDER BY d.id LIMIT 1000",
            new { runId });
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>What the audit log keeps of a change: never the secret, not even encrypted.</summary>
    private static object Audited(NewWebhook w) => new { w.Name, w.Url, w.Format, w.Events, w.Enabled, secretChanged = w.ProtectedSecret is not null };

    private static async Task<T> UniqueNameAsync<T>(string name, ISqlDialect dialect, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (DbException e) when (dialect.IsUniqueViolation(e))
        {
            throw new ConflictException($"a webhook named '{name}' already exists");
        }
    }

    internal sealed class Row
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Url { get; init; } = "";
        public string Format { get; init; } = "";
        public string Events { get; init; } = "[]";
        public string ProtectedSecret { get; init; } = "";
        public long Enabled { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }

        public WebhookRecord ToRecord() =>
            new(Id, Name, Url, Format, Json.Read<List<string>>(Events), ProtectedSecret, Enabled != 0, UnixMs.To(CreatedAt), UnixMs.To(UpdatedAt));
    }

    internal sealed class AttemptRow
    {
        public long Id { get; init; }
        public long WebhookId { get; init; }
        public string WebhookName { get; init; } = "";
        public string DeliveryId { get; init; } = "";
        public string Event { get; init; } = "";
        public long? RunId { get; init; }
        public long Attempt { get; init; }
        public long At { get; init; }
        public long? StatusCode { get; init; }
        public long LatencyMs { get; init; }
        public long Succeeded { get; init; }
        public string? Error { get; init; }

        public DeliveryAttemptRecord ToRecord() =>
            new(Id, WebhookId, WebhookName, DeliveryId, Event, RunId, (int)Attempt, UnixMs.To(At), StatusCode is { } s ? (int)s : null, LatencyMs, Succeeded != 0, Error);
    }
}
