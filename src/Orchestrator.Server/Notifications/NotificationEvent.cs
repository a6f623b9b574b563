namespace Orchestrator.Server.Notifications;

/// <summary>Something on-call should hear about. Stored in a Hangfire job's arguments, so plain values only.</summary>
/// <param name="Severity">info, warning or critical.</param>
/// <param name="Text">One line for people (chat formats show only this).</param>
/// <param name="Details">Event-specific facts (member names, the hook's answer …) as text.</param>
public sealed record NotificationEvent(
    string Event, string Severity, string Text, DateTimeOffset At, long? RunId, string? WindowName, Dictionary<string, string>? Details = null);
