using Orchestrator.Cli.Api;
using Orchestrator.Core;
using Orchestrator.Core.Notifications;

namespace Orchestrator.Cli.Config;

/// <summary>Checks the files' <c>webhooks:</c> as the server would, and fetches each secret from the environment.</summary>
internal static class WebhookRules
{
    public static readonly string[] Events =
        ["run.opened", "run.closed", "run.notOpenedOnTime", "run.criticalAnomaly", "run.closeUnconfirmed", "window.missed", "member.agentOffline", "*"];

    public static readonly string[] Formats = ["json", "slack", "teams"];

    public static List<DesiredWebhook> Validate(SiteConfig config, IReadOnlyDictionary<string, string?> environment, bool online, List<ConfigDiagnostic> diagnostics)
    {
        var desired = new List<DesiredWebhook>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in config.WebhookSpecs)
        {
            var b = spec.Body;
            var errors = new List<FieldError>();
            Names.Validate(b.Name, "name", errors);
            TargetUrls.Validate(b.Url, "url", errors);
            if (b.Format is not null && !Formats.Contains(b.Format))
            {
                errors.Add(new("format", $"'{b.Format}' is not a format; use {string.Join(", ", Formats)}"));
            }

            if (b.Events.Count == 0)
            {
                errors.Add(new("events", $"at least one event; accepted: {string.Join(", ", Events)}"));
            }

            for (var i = 0; i < b.Events.Count; i++)
            {
                if (!Events.Contains(b.Events[i]))
                {
                    errors.Add(new($"events[{i}]", $"'{b.Events[i]}' is not an event; accepted: {string.Join(", ", Events)}"));
                }
            }

            if (b.Name.Length > 0 && !names.Add(b.Name))
            {
                errors.Add(new("name", $"'{b.Name}' is declared twice; webhook names are unique"));
            }

            string? secret = null;
            if (string.IsNullOrWhiteSpace(b.SecretEnv))
            {
                errors.Add(new("secretEnv", "required: the name of the environment variable that holds the signing secret (files never hold secrets)"));
            }
            else if (environment.Get(b.SecretEnv) is { } value)
            {
                secret = value;
            }
            else
            {
                var message = $"the environment variable {b.SecretEnv} is not set; apply needs the signing secret in it (16-256 characters)";
                if (online)
                {
                    errors.Add(new("secretEnv", message));
                }
                else
                {
                    diagnostics.Add(new(spec.Source.Locate("secretEnv"), "secretEnv", message, IsWarning: true));
                }
            }

            diagnostics.AddRange(errors.Select(e => spec.Source.Error(e.Field, e.Message)));
            if (errors.Count == 0)
            {
                desired.Add(new(new WebhookBody(b.Name, b.Url, b.Format ?? "json", b.Events, secret, b.Enabled ?? true), spec.Source));
            }
        }

        return desired;
    }
}
