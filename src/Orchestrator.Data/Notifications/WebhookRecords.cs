namespace Orchestrator.Data.Notifications;

/// <summary>A webhook target. <see cref="ProtectedSecret"/> is the signing secret as the server encrypted it; only the
/// server can read it back, and it never leaves through the API.</summary>
public sealed record WebhookRecord(
    long Id, string Name, string Url, string Format, IReadOnlyList<string> Events, string ProtectedSecret, bool Enabled,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What an operator registers; <see cref="ProtectedSecret"/> null on an update keeps the stored one.</summary>
public sealed record NewWebhook(string Name, string Url, string Format, IReadOnlyList<string> Events, string? ProtectedSecret, bool Enabled);

/// <summary>One attempt to deliver one event to one webhook.</summary>
/// <summary>A delivery of one event to one webhook, as queued. <see cref="Payload"/> is the event as JSON.</summary>
public sealed record QueuedDelivery(string DeliveryId, long WebhookId, string Payload, DateTimeOffset QueuedAt);

public sealed record DeliveryAttempt(
    long WebhookId, string DeliveryId, string Event, long? RunId, int Attempt, DateTimeOffset At, int? StatusCode, long LatencyMs, bool Succeeded, string? Error);

public sealed record DeliveryAttemptRecord(
    long Id, long WebhookId, string WebhookName, string DeliveryId, string Event, long? RunId, int Attempt, DateTimeOffset At, int? StatusCode,
    long LatencyMs, bool Succeeded, string? Error);

/// <summary>A run's pre-open or post-close hook call and what it answered.</summary>
public sealed record HookCall(long RunId, string Kind, string Url, DateTimeOffset At, int? StatusCode, long LatencyMs, string Verdict, string? Answer);
