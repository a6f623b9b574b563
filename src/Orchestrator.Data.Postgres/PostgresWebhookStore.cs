using Dapper;
using Npgsql;
using Orchestrator.Data.Notifications;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresWebhookStore(PostgresDatabase database) : IWebhookStore
{
    private const string Columns =
        "id AS Id, name AS Name, url AS Url, format AS Format, events AS Events, secret_protected AS ProtectedSecret, enabled AS Enabled, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private const string AttemptColumns =
        """
        d.id AS Id, d.webhook_id AS WebhookId, w.name AS WebhookName, d.delivery_id AS DeliveryId, d.event AS Event, d.run_id AS RunId, d.attempt AS Attempt,
        d.at AS At, d.status_code AS StatusCode, d.latency_ms AS LatencyMs, d.succeeded AS Succeeded, d.error AS Error
        """;

    public async Task<WebhookRecord> CreateAsync(NewWebhook webhook, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await UniqueNameAsync(webhook.Name, () => connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO webhooks (name, url, format, events, secret_protected, enabled, created_at, updated_at)
            VALUES (@Name, @Url, @Format, @events, @ProtectedSecret, @enabled, @now, @now) RETURNING id
            """,
            new { webhook.Name, webhook.Url, webhook.Format, events = Json.Write(webhook.Events), webhook.ProtectedSecret, enabled = webhook.Enabled ? 1L : 0L, now = UnixMs.From(now) },
            transaction));
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "webhook", id, "created", Audited(webhook));
        await transaction.CommitAsync(cancellationToken);
        return (await GetAsync(id, cancellationToken))!;
    }

    public async Task<WebhookRecord?> UpdateAsync(long id, NewWebhook webhook, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await UniqueNameAsync(webhook.Name, () => connection.ExecuteAsync(
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
        return await GetAsync(id, cancellationToken);
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
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

    public async Task<WebhookRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM webhooks WHERE id = @id AND deleted_at IS NULL", new { id }))?.ToRecord();
    }

    public async Task<IReadOnlyList<WebhookRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>($"SELECT {Columns} FROM webhooks WHERE deleted_at IS NULL ORDER BY lower(name) COLLATE \"C\"")).Select(r => r.ToRecord()).ToList();
    }

    public async Task RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO webhook_deliveries (webhook_id, delivery_id, event, run_id, attempt, at, status_code, latency_ms, succeeded, error)
            VALUES (@WebhookId, @DeliveryId, @Event, @RunId, @attemptNumber, @at, @statusCode, @LatencyMs, @succeeded, @Error)
            """,
            new
            {
                attempt.WebhookId, attempt.DeliveryId, attempt.Event, attempt.RunId, attemptNumber = (long)attempt.Attempt, at = UnixMs.From(attempt.At),
                statusCode = (long?)attempt.StatusCode, attempt.LatencyMs, succeeded = attempt.Succeeded ? 1L : 0L, attempt.Error,
            });
    }

    public async Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsAsync(long webhookId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AttemptRow>(
            $"SELECT {AttemptColumns} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.webhook_id = @webhookId ORDER BY d.id DESC LIMIT @limit",
            new { webhookId, limit = Math.Clamp(limit, 1, 1_000) });
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<DeliveryAttemptRecord>> ListAttemptsForRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AttemptRow>(
            $"SELECT {AttemptColumns} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.run_id = @runId ORDER BY d.id LIMIT 1000",
            new { runId });
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>What the audit log keeps of a change: never the secret, not even encrypted.</summary>
    private static object Audited(NewWebhook w) => new { w.Name, w.Url, w.Format, w.Events, w.Enabled, secretChanged = w.ProtectedSecret is not null };

    private static async Task<T> UniqueNameAsync<T>(string name, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (PostgresException e) when (e.SqlState == Sql.UniqueViolation)
        {
            throw new ConflictException($"a webhook named '{name}' already exists");
        }
    }

    private sealed class Row
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

    private sealed class AttemptRow
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
