using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Server.Notifications;

/// <summary>The bodies a webhook can receive: the full event as JSON, or a Slack- or Teams-style incoming-webhook message.</summary>
internal static class WebhookFormats
{
    public const string Json = "json";
    public const string Slack = "slack";
    public const string Teams = "teams";

    public static readonly IReadOnlyList<string> All = [Json, Slack, Teams];

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <param name="reportUrl">Link to the run's report, or null.</param>
    public static string Body(string format, NotificationEvent e, string deliveryId, string? reportUrl)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = reportUrl is null ? $"[{e.Severity}] {e.Text}" : $"[{e.Severity}] {e.Text} — {reportUrl}";
        return format switch
        {
            Slack => new JsonObject { ["text"] = text }.ToJsonString(),
            // The MessageCard shape that Teams incoming webhooks (and Workflows' "post to a channel" template) accept.
            Teams => new JsonObject
            {
                ["@type"] = "MessageCard",
                ["@context"] = "https://schema.org/extensions",
                ["summary"] = e.Text,
                ["themeColor"] = e.Severity switch { "critical" => "D13438", "warning" => "FFB900", _ => "0078D4" },
                ["title"] = $"Orchestrator: {e.Event}",
                ["text"] = text,
            }.ToJsonString(),
            _ => JsonSerializer.Serialize(
                new { id = deliveryId, @event = e.Event, e.Severity, e.Text, e.At, e.RunId, e.WindowName, reportUrl, details = e.Details ?? new Dictionary<string, string>() },
                Web),
        };
    }
}
