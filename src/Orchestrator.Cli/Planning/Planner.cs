using Orchestrator.Cli.Config;

namespace Orchestrator.Cli.Planning;

/// <summary>
/// Compares what the files declare with what the server holds, by key: endpoints by hostname, groups and windows by name
/// (case-insensitive, as the server keeps them unique). A renamed object is a delete plus a create.
/// </summary>
internal static class Planner
{
    /// <summary>Groups other than the files' that windows may still name after the apply.</summary>
    public static IReadOnlySet<string> SurvivingGroups(SiteConfig config, ServerState server, bool prune)
    {
        var declared = config.Groups.Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return server.Groups
            .Where(g => !(prune && config.DeclaresGroups) || declared.Contains(g.Name))
            .Select(g => g.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public static Plan Build(DesiredState desired, SiteConfig config, ServerState server, bool prune)
    {
        var changes = new List<Change>();
        var unchanged = 0;

        var endpoints = server.Endpoints.ToDictionary(e => e.Hostname, StringComparer.OrdinalIgnoreCase);
        foreach (var d in desired.Endpoints)
        {
            var to = FieldValues.Of(d.Body);
            unchanged += Compare("endpoint", d.Body.Hostname, endpoints.GetValueOrDefault(d.Body.Hostname) is { } e ? (e.Id, FieldValues.Of(e)) : null, to, d.Body, d.Source, changes);
        }

        var groups = server.Groups.ToDictionary(g => g.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var d in desired.Groups)
        {
            var to = FieldValues.Of(d.Body);
            unchanged += Compare("group", d.Body.Name, groups.GetValueOrDefault(d.Body.Name) is { } g ? (g.Id, FieldValues.Of(g)) : null, to, d.Body, d.Source, changes);
        }

        var windows = server.Windows.ToDictionary(w => w.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var d in desired.Windows)
        {
            var to = FieldValues.Of(d.Body);
            unchanged += Compare("window", d.Body.Name!, windows.GetValueOrDefault(d.Body.Name!) is { } w ? (w.Id, FieldValues.Of(w)) : null, to, d.Body, d.Source, changes);
        }

        var webhooks = (server.Webhooks ?? []).ToDictionary(w => w.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var d in desired.WebhookList)
        {
            var to = FieldValues.Of(d.Body);
            unchanged += Compare("webhook", d.Body.Name, webhooks.GetValueOrDefault(d.Body.Name) is { } w ? (w.Id, FieldValues.Of(w)) : null, to, d.Body, d.Source, changes);
        }

        // Objects the files no longer name, in the order a prune deletes them: windows first (they hold groups), then
        // groups, then endpoints. Only kinds the files declare are considered.
        if (config.DeclaresWindows)
        {
            var named = config.Windows.Select(w => w.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            changes.AddRange(server.Windows.Where(w => !named.Contains(w.Name)).OrderBy(w => w.Name, StringComparer.OrdinalIgnoreCase)
                .Select(w => Orphan(prune, "window", w.Name, w.Id)));
        }

        if (config.DeclaresWebhooks)
        {
            var named = config.WebhookSpecs.Select(w => w.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            changes.AddRange((server.Webhooks ?? []).Where(w => !named.Contains(w.Name)).OrderBy(w => w.Name, StringComparer.OrdinalIgnoreCase)
                .Select(w => Orphan(prune, "webhook", w.Name, w.Id)));
        }

        if (config.DeclaresGroups)
        {
            var named = config.Groups.Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            changes.AddRange(server.Groups.Where(g => !named.Contains(g.Name)).OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase)
                .Select(g => Orphan(prune, "group", g.Name, g.Id)));
        }

        if (config.DeclaresEndpoints)
        {
            var named = config.Endpoints.Select(e => e.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            changes.AddRange(server.Endpoints.Where(e => !named.Contains(e.Hostname) && e.Source != ServerState.AgentSource)
                .OrderBy(e => e.Hostname, StringComparer.OrdinalIgnoreCase)
                .Select(e => Orphan(prune, "endpoint", e.Hostname, e.Id)));
        }

        return new Plan(changes, unchanged);
    }

    private static int Compare(
        string kind, string name, (long Id, IReadOnlyList<(string Field, string? Value)> Fields)? current,
        IReadOnlyList<(string Field, string? Value)> to, object body, SpecSource source, List<Change> changes)
    {
        if (current is not { } c)
        {
            changes.Add(new Change(ChangeAction.Create, kind, name, null, FieldValues.Created(to), body, source));
            return 0;
        }

        var diff = FieldValues.Diff(c.Fields, to);
        if (diff.Count == 0)
        {
            return 1;
        }

        changes.Add(new Change(ChangeAction.Update, kind, name, c.Id, diff, body, source));
        return 0;
    }

    private static Change Orphan(bool prune, string kind, string name, long id) =>
        new(prune ? ChangeAction.Delete : ChangeAction.Untracked, kind, name, id, [], null, null);
}
