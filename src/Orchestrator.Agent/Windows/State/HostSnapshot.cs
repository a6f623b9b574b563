using System.Text.Json;

namespace Orchestrator.Agent.Windows.State;

/// <summary>What the agent found on the host before changing it: the built-in Delivery Optimization rules, the
/// Delivery Optimization policy values it manages, the firewall profiles and their local logging settings (which
/// drop logging changes for a window; <see cref="ProfileLogs"/> is absent in records of older agents).</summary>
internal sealed record HostSnapshot(
    IReadOnlyList<BuiltInRuleState> FirewallRules,
    bool PolicyKeyExisted,
    IReadOnlyList<PolicyValueState> PolicyValues,
    IReadOnlyList<FirewallProfileState> Profiles,
    IReadOnlyList<string>? PolicyRules = null,
    IReadOnlyList<ProfileLogState>? ProfileLogs = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static HostSnapshot Parse(string json) =>
        JsonSerializer.Deserialize<HostSnapshot>(json, Json)
        ?? throw new InvalidDataException("The host inspection printed no JSON object.");

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Why the firewall cannot enforce anything here, or null. A disabled profile ignores every rule, and a
    /// GPO with "apply local firewall rules: no" ignores the agent's (local) rules.</summary>
    public string? EnforcementProblem()
    {
        var problems = Profiles
            .Where(p => IsFalse(p.Enabled) || IsFalse(p.AllowLocalFirewallRules))
            .Select(p => IsFalse(p.Enabled)
                ? $"Windows Firewall is off for the {p.Name} profile"
                : $"policy for the {p.Name} profile ignores local firewall rules (AllowLocalFirewallRules = False)")
            .ToList();
        return problems.Count == 0 ? null : string.Join("; ", problems) + ".";
    }

    /// <summary>What makes the agent's enforcement mean less than it says on this host, for the report (the agent runs
    /// but the endpoint is flagged): "block all incoming connections" ignores every allow rule, so openings never take
    /// effect; a default inbound action of Allow leaves only the guard between 7680 and everyone; a Group Policy allow
    /// rule for 7680 is beaten by the guard but says someone else manages the port.</summary>
    public IReadOnlyList<string> EnforcementFindings()
    {
        var findings = new List<string>();
        foreach (var profile in Profiles)
        {
            if (string.Equals(profile.BlockAllInbound, "True", StringComparison.OrdinalIgnoreCase))
            {
                findings.Add($"the {profile.Name} profile blocks all incoming connections (BlockAllInboundTraffic): allow rules are ignored, openings cannot take effect there");
            }

            if (string.Equals(profile.DefaultInboundAction, "Allow", StringComparison.OrdinalIgnoreCase))
            {
                findings.Add($"the {profile.Name} profile allows inbound connections by default (DefaultInboundAction Allow): only the guard rule keeps 7680 closed");
            }
        }

        if (PolicyRules is { Count: > 0 } rules)
        {
            findings.Add($"Group Policy allows 7680 with rule(s) {string.Join(", ", rules)}: the guard blocks them, but the port is also managed elsewhere");
        }

        return findings;
    }

    private static bool IsFalse(string? value) => string.Equals(value, "False", StringComparison.OrdinalIgnoreCase);
}

internal sealed record BuiltInRuleState(string Name, bool Exists, bool Enabled);

/// <summary>A registry value under the Delivery Optimization policy key; <see cref="Kind"/> is the
/// RegistryValueKind name (DWord, String, …) and <see cref="Value"/> its invariant text.</summary>
internal sealed record PolicyValueState(string Name, bool Exists, string? Kind, string? Value);

internal sealed record FirewallProfileState(
    string Name, string? Enabled, string? AllowLocalFirewallRules, string? BlockAllInbound = null, string? DefaultInboundAction = null);

/// <summary>One profile's logging settings in the local store (PersistentStore, the store the agent writes), as
/// Get-NetFirewallProfile prints them: LogBlocked True/False/NotConfigured, LogFileName, LogMaxSizeKilobytes.</summary>
internal sealed record ProfileLogState(string Name, string? LogBlocked, string? LogFileName, string? LogMaxSizeKilobytes);
