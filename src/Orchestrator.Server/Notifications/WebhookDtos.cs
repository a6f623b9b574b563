namespace Orchestrator.Server.Notifications;

/// <param name="Secret">Write-only: required at creation (16-256 characters), optional on an update (absent keeps the
/// stored one). Never returned.</param>
/// <param name="Events">Event names (run.opened …) or "*" for all.</param>
/// <param name="Format">json (default), slack or teams.</param>
public sealed record WebhookRequest(string? Name, string? Url, string? Format, IReadOnlyList<string?>? Events, string? Secret, bool? Enabled);

/// <summary>A webhook as the API shows it: the secret is never part of it.</summary>
public sealed record WebhookResponse(long Id, string Name, string Url, string Format, IReadOnlyList<string> Events, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record DeliveryResponse(
    long Id, long WebhookId, string Webhook, string DeliveryId, string Event, long? RunId, int Attempt, DateTimeOffset At, int? StatusCode, long LatencyMs,
    bool Succeeded, string? Error);

/// <param name="DeliveryId">The id the receiver sees in X-Orchestrator-Delivery; the attempts show in the deliveries list.</param>
public sealed record TestDeliveryResponse(long WebhookId, string DeliveryId, string Event);
