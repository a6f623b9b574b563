using Orchestrator.Core;
using Orchestrator.Core.Notifications;
using Orchestrator.Data.Notifications;

namespace Orchestrator.Server.Notifications;

/// <summary>Reads a <see cref="WebhookRequest"/>, naming every field it refuses.</summary>
internal static class WebhookValidation
{
    public const int MaxEvents = 32;

    /// <param name="creating">The secret is required when creating, optional (kept) on an update.</param>
    public static NewWebhook? Read(WebhookRequest request, bool creating, NotificationOptions options, WebhookSecrets secrets, List<FieldError> errors)
    {
        Names.Validate(request.Name, "name", errors);
        TargetUrls.Validate(request.Url, "url", errors);
        CheckLoopback(request.Url, "url", options, errors);
        var format = request.Format ?? WebhookFormats.Json;
        if (!WebhookFormats.All.Contains(format))
        {
            errors.Add(new("format", $"'{request.Format}' is not a format; use {string.Join(", ", WebhookFormats.All)}"));
        }

        var events = ReadEvents(request.Events, errors);
        if (request.Secret is null)
        {
            if (creating)
            {
                errors.Add(new("secret", $"required; {WebhookSecrets.MinLength}-{WebhookSecrets.MaxLength} characters, used to sign each delivery (HMAC-SHA256)"));
            }
        }
        else if (request.Secret.Length is < WebhookSecrets.MinLength or > WebhookSecrets.MaxLength || string.IsNullOrWhiteSpace(request.Secret))
        {
            errors.Add(new("secret", $"{WebhookSecrets.MinLength}-{WebhookSecrets.MaxLength} characters (the length given was {request.Secret.Length})"));
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var protectedSecret = request.Secret is null ? null : secrets.Protect(request.Secret);
        return new NewWebhook(request.Name!, request.Url!, format, events, protectedSecret, request.Enabled ?? true);
    }

    /// <summary>Refuses a loopback URL unless the setting allows it (the connect-time check also covers names that resolve there).</summary>
    public static void CheckLoopback(string? url, string field, NotificationOptions options, List<FieldError> errors)
    {
        if (!options.AllowLoopbackTargets && Uri.TryCreate(url, UriKind.Absolute, out var uri) && OutboundHttp.IsLoopbackName(uri.Host))
        {
            errors.Add(new(field, $"'{uri.Host}' is a loopback address, which the server refuses (setting Orchestrator:Notifications:AllowLoopbackTargets)"));
        }
    }

    private static List<string> ReadEvents(IReadOnlyList<string?>? events, List<FieldError> errors)
    {
        var accepted = $"accepted: {string.Join(", ", NotificationEvents.All)}, or \"*\" for all";
        if (events is null || events.Count == 0)
        {
            errors.Add(new("events", $"at least one event; {accepted}"));
            return [];
        }

        if (events.Count > MaxEvents)
        {
            errors.Add(new("events", $"at most {MaxEvents} entries"));
            return [];
        }

        var list = new List<string>();
        for (var i = 0; i < events.Count; i++)
        {
            var name = events[i];
            if (name is null || (name != NotificationEvents.Wildcard && !NotificationEvents.All.Contains(name)))
            {
                errors.Add(new($"events[{i}]", $"'{name}' is not an event; {accepted}"));
            }
            else if (!list.Contains(name))
            {
                list.Add(name);
            }
        }

        return list;
    }
}
