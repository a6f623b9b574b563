using Orchestrator.Cli.Api;
using Orchestrator.Core;
using Orchestrator.Core.Endpoints;
using Orchestrator.Core.Groups;
using Orchestrator.Core.Windows;

namespace Orchestrator.Cli.Config;

/// <summary>The declared objects in the form that is compared with the server and sent to it.</summary>
internal sealed record DesiredEndpoint(EndpointBody Body, SpecSource Source);

internal sealed record DesiredGroup(GroupBody Body, SpecSource Source);

internal sealed record DesiredWindow(WindowBody Body, WindowDefinition Definition, SpecSource Source);

internal sealed record DesiredWebhook(WebhookBody Body, SpecSource Source);

internal sealed record DesiredState(
    IReadOnlyList<DesiredEndpoint> Endpoints, IReadOnlyList<DesiredGroup> Groups, IReadOnlyList<DesiredWindow> Windows, IReadOnlyList<DesiredWebhook>? Webhooks = null)
{
    public IReadOnlyList<DesiredWebhook> WebhookList => Webhooks ?? [];
}

/// <summary>
/// Runs the Core validators the server runs (EndpointValidator, GroupValidator, WindowValidator with ScheduleValidator)
/// plus what the server checks against its store: unique names and existing groups. Every finding points at its line.
/// </summary>
internal static class ConfigValidator
{
    /// <param name="minimumDuration">The server's MinimumWindowDuration; 5 minutes unless a lab server lowered it.</param>
    /// <param name="otherGroups">Groups that exist besides the files' (the server's, minus those a prune deletes); null
    /// offline: then a window naming a group the files do not define is only a warning.</param>
    /// <param name="environment">Where webhook secrets are read (secretEnv); a missing one is an error once the server is
    /// involved (<paramref name="otherGroups"/> set), a warning offline.</param>
    public static DesiredState Validate(
        SiteConfig config, TimeSpan minimumDuration, IReadOnlySet<string>? otherGroups, List<ConfigDiagnostic> diagnostics,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var endpoints = new List<DesiredEndpoint>();
        var hostnames = new Dictionary<string, SpecSource>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in config.Endpoints)
        {
            var b = spec.Body;
            var errors = EndpointValidator.Validate(b.Hostname, b.Addresses, b.Os, b.Tags);
            Report(spec.Source, errors, diagnostics);
            Unique(spec.Source, "hostname", b.Hostname, hostnames, "each hostname once", diagnostics);
            if (errors.Count == 0)
            {
                endpoints.Add(new(Canonical(b), spec.Source));
            }
        }

        var groups = new List<DesiredGroup>();
        var groupNames = new Dictionary<string, SpecSource>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in config.Groups)
        {
            var b = spec.Body;
            var errors = GroupValidator.Validate(new GroupDefinition(b.Name, b.Description, b.StaticMembers, b.Cidrs, b.Tags));
            Report(spec.Source, errors, diagnostics);
            Unique(spec.Source, "name", b.Name, groupNames, "group names are unique", diagnostics);
            if (errors.Count == 0)
            {
                groups.Add(new(b, spec.Source));
            }
        }

        var windows = new List<DesiredWindow>();
        var windowNames = new Dictionary<string, SpecSource>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in config.Windows)
        {
            var errors = new List<FieldError>();
            var definition = WindowDefinitions.ToDefinitionWithDefaults(spec.Body, errors);
            var readable = errors.Count == 0;
            var reported = errors.Select(e => Root(e.Field)).ToHashSet(StringComparer.Ordinal);
            if (reported.Contains("duration"))
            {
                reported.Add("cutoff"); // compared with a duration that could not be read
            }

            errors.AddRange(WindowValidator.Validate(definition, minimumDuration).Where(e => !reported.Contains(Root(e.Field))));
            Report(spec.Source, errors, diagnostics);
            Unique(spec.Source, "name", spec.Body.Name ?? "", windowNames, "window names are unique", diagnostics);
            var unknown = CheckGroups(spec, groupNames, otherGroups, diagnostics);
            if (readable && errors.Count == 0)
            {
                diagnostics.AddRange(ScheduleHints.Check(definition, spec.Source));
            }

            if (readable && errors.Count == 0 && !unknown)
            {
                windows.Add(new(WindowDefinitions.ToBody(definition), definition, spec.Source));
            }
        }

        return new DesiredState(endpoints, groups, windows, WebhookRules.Validate(config, environment ?? new Dictionary<string, string?>(), online: otherGroups is not null, diagnostics));
    }

    /// <summary>The endpoint as the server will store it: addresses in canonical form without repeats, "unknown" OS.</summary>
    private static EndpointBody Canonical(EndpointBody b) => b with
    {
        Addresses = b.Addresses.Select(a => PeerAddresses.TryParseUsable(a, out var ip, out _) ? ip.ToString() : a).Distinct().ToList(),
        Os = string.IsNullOrWhiteSpace(b.Os) ? "unknown" : b.Os,
    };

    private static bool CheckGroups(WindowSpec spec, Dictionary<string, SpecSource> declared, IReadOnlySet<string>? others, List<ConfigDiagnostic> diagnostics)
    {
        var unknown = false;
        var names = spec.Body.Groups ?? [];
        for (var i = 0; i < names.Count; i++)
        {
            if (declared.ContainsKey(names[i]) || others?.Contains(names[i]) == true)
            {
                continue;
            }

            var field = $"groups[{i}]";
            if (others is null)
            {
                diagnostics.Add(new(spec.Source.Locate(field), field, $"no group named '{names[i]}' in these files; the server must already have it (plan checks)", IsWarning: true));
            }
            else
            {
                unknown = true;
                diagnostics.Add(spec.Source.Error(field, $"no group named '{names[i]}' in these files or on the server (or --prune deletes it); define it under groups:"));
            }
        }

        return unknown;
    }

    /// <summary>Adds the validator's findings, except for fields the YAML reader already refused (a list written as a
    /// single value would otherwise also be reported as "required").</summary>
    private static void Report(SpecSource source, IEnumerable<FieldError> errors, List<ConfigDiagnostic> diagnostics)
    {
        var refused = diagnostics.Where(d => source.Contains(d.Location)).Select(d => Root(d.Field)).ToHashSet(StringComparer.Ordinal);
        diagnostics.AddRange(errors.Where(e => !refused.Contains(Root(e.Field))).Select(e => source.Error(e.Field, e.Message)));
    }

    /// <summary>"ports[0].port" → "ports"; "scan.maxErrors" → "scan.maxErrors" (scan's fields stand alone).</summary>
    private static string Root(string field)
    {
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        return bracket > 0 ? field[..bracket] : field;
    }

    private static void Unique(SpecSource source, string field, string key, Dictionary<string, SpecSource> seen, string rule, List<ConfigDiagnostic> diagnostics)
    {
        if (key.Length == 0)
        {
            return;
        }

        if (seen.TryGetValue(key, out var first))
        {
            diagnostics.Add(source.Error(field, $"'{key}' is already declared at {first.Location}; {rule}"));
        }
        else
        {
            seen[key] = source;
        }
    }
}
