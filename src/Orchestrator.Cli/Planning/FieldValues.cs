using System.Globalization;
using Orchestrator.Cli.Api;

namespace Orchestrator.Cli.Planning;

/// <summary>
/// Each kind's fields as comparable text, from the files' side (canonical bodies) and from the server's answers. Both
/// sides are spelled the same way, so "equal text" means "apply would not change it".
/// </summary>
internal static class FieldValues
{
    private const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz";

    public static IReadOnlyList<(string Field, string? Value)> Of(EndpointBody e) =>
        [("hostname", e.Hostname), ("addresses", List(e.Addresses)), ("os", e.Os), ("tags", List(e.Tags))];

    public static IReadOnlyList<(string Field, string? Value)> Of(EndpointDto e) =>
        [("hostname", e.Hostname), ("addresses", List(e.Addresses)), ("os", e.Os), ("tags", List(e.Tags))];

    public static IReadOnlyList<(string Field, string? Value)> Of(GroupBody g) =>
        [("name", g.Name), ("description", g.Description), ("staticMembers", List(g.StaticMembers)), ("cidrs", List(g.Cidrs)), ("tags", List(g.Tags))];

    public static IReadOnlyList<(string Field, string? Value)> Of(GroupDto g) =>
        [("name", g.Name), ("description", g.Description), ("staticMembers", List(g.StaticMembers)), ("cidrs", List(g.Cidrs)), ("tags", List(g.Tags))];

    public static IReadOnlyList<(string Field, string? Value)> Of(WindowBody w) =>
    [
        ("name", w.Name), ("description", w.Description), ("cron", w.Cron), ("at", w.At), ("timeZone", w.TimeZone),
        ("offsetDays", Number(w.OffsetDays ?? 0)), ("duration", w.Duration), ("cutoff", w.Cutoff), ("blackoutDates", List(w.BlackoutDates ?? [])),
        ("notBefore", Instant(w.NotBefore)), ("notAfter", Instant(w.NotAfter)), ("groups", List(w.Groups ?? [])),
        ("ports", List((w.Ports ?? []).Select(p => $"{p.Port}/{p.Protocol}"))),
        ("scan.enabled", Bool(w.Scan?.Enabled ?? true)), ("scan.maxConcurrency", w.Scan?.MaxConcurrency), ("scan.maxErrors", Number(w.Scan?.MaxErrors)),
        ("peering", w.Peering), ("enabled", Bool(w.Enabled ?? true)),
        ("hooks.preOpen", Hook(w.Hooks?.PreOpen)), ("hooks.postClose", Hook(w.Hooks?.PostClose)),
    ];

    public static IReadOnlyList<(string Field, string? Value)> Of(WindowDto w) =>
    [
        ("name", w.Name), ("description", w.Description), ("cron", w.Cron), ("at", w.At), ("timeZone", w.TimeZone),
        ("offsetDays", Number(w.OffsetDays)), ("duration", w.Duration), ("cutoff", w.Cutoff), ("blackoutDates", List(w.BlackoutDates)),
        ("notBefore", Instant(w.NotBefore)), ("notAfter", Instant(w.NotAfter)), ("groups", List(w.Groups)),
        ("ports", List(w.Ports.Select(p => $"{p.Port}/{p.Protocol}"))),
        ("scan.enabled", Bool(w.Scan.Enabled)), ("scan.maxConcurrency", w.Scan.MaxConcurrency), ("scan.maxErrors", Number(w.Scan.MaxErrors)),
        ("peering", w.Peering), ("enabled", Bool(w.Enabled)),
        ("hooks.preOpen", Hook(w.Hooks?.PreOpen)), ("hooks.postClose", Hook(w.Hooks?.PostClose)),
    ];

    /// <summary>The secret is never compared: the server does not return it (apply sends it with every create and update).</summary>
    public static IReadOnlyList<(string Field, string? Value)> Of(WebhookBody w) =>
        [("name", w.Name), ("url", w.Url), ("format", w.Format ?? "json"), ("events", List(w.Events)), ("enabled", Bool(w.Enabled ?? true))];

    public static IReadOnlyList<(string Field, string? Value)> Of(WebhookDto w) =>
        [("name", w.Name), ("url", w.Url), ("format", w.Format), ("events", List(w.Events)), ("enabled", Bool(w.Enabled))];

    public static IReadOnlyList<FieldChange> Diff(IReadOnlyList<(string Field, string? Value)> from, IReadOnlyList<(string Field, string? Value)> to) =>
        from.Zip(to)
            .Where(p => !string.Equals(p.First.Value, p.Second.Value, StringComparison.Ordinal))
            .Select(p => new FieldChange(p.First.Field, p.First.Value, p.Second.Value))
            .ToList();

    /// <summary>A new object's fields: the ones it sets.</summary>
    public static IReadOnlyList<FieldChange> Created(IReadOnlyList<(string Field, string? Value)> to) =>
        to.Where(f => !string.IsNullOrEmpty(f.Value)).Select(f => new FieldChange(f.Field, null, f.Value)).ToList();

    private static string? List(IEnumerable<string> items)
    {
        var text = string.Join(", ", items);
        return text.Length == 0 ? null : text;
    }

    private static string? Hook(HookBody? hook) => hook is null ? null : $"{hook.Url} (timeout {hook.Timeout})";

    private static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";

    private static string? Instant(DateTimeOffset? value) => value?.ToString(InstantFormat, CultureInfo.InvariantCulture);
}
