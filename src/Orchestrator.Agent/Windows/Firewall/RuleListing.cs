using System.Net;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>Compares the output of <see cref="FirewallScripts.ListRules"/> with the rules the enforcer put in place.</summary>
internal static class RuleListing
{
    /// <summary>Why the live rules differ from the expected ones (guards leaving out exactly the allowed peers, one allow
    /// rule per run in force, nothing else of ours), or null when they do not.</summary>
    public static string? Difference(string listing, IReadOnlyList<int> guardedPorts, IReadOnlyList<RunOpening> runs)
    {
        var live = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .Where(parts => parts.Length == 4)
            .ToDictionary(parts => parts[0], parts => (Action: parts[1], Enabled: parts[2], Remote: Set(parts[3])), StringComparer.OrdinalIgnoreCase);

        var expected = new List<(string Name, string Action, IReadOnlyList<string> Remote, string Kind)>();
        foreach (var port in guardedPorts)
        {
            var allowed = runs.Where(r => r.Port == port).SelectMany(r => r.Peers).ToHashSet();
            expected.AddRange(FirewallScripts.GuardParts(port, allowed).Select(p => (p.Name, "Block", p.Addresses, "guard")));
        }

        foreach (var run in runs)
        {
            expected.AddRange(FirewallScripts.RuleParts(run).Select(p => (p.Name, "Allow", p.Addresses, "allow")));
        }

        foreach (var (name, action, remote, kind) in expected)
        {
            if (Problem(live, name, action, remote) is { } problem)
            {
                return kind + " " + problem;
            }
        }

        var known = expected.Select(e => e.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return live.Keys.FirstOrDefault(name => !known.Contains(name)) is { } stray
            ? $"rule {stray} exists but the agent did not install it"
            : null;
    }

    private static string? Problem(
        Dictionary<string, (string Action, string Enabled, HashSet<string> Remote)> live, string name, string action, IEnumerable<string> remote)
    {
        if (!live.TryGetValue(name, out var rule))
        {
            return $"rule {name} is missing";
        }

        if (!string.Equals(rule.Action, action, StringComparison.OrdinalIgnoreCase) || !string.Equals(rule.Enabled, "True", StringComparison.OrdinalIgnoreCase))
        {
            return $"rule {name} was changed (now {rule.Action}, enabled {rule.Enabled})";
        }

        return rule.Remote.SetEquals(Set(string.Join(',', remote))) ? null : $"rule {name} has other remote addresses";
    }

    private static HashSet<string> Set(string joined) => joined
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(a => IPAddress.TryParse(a, out var ip) ? ip.ToString() : a)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);
}
