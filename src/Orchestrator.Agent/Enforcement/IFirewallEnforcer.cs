using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// The platform firewall as the agent needs it. One implementation per OS, chosen once at start-up;
/// nothing else in the agent knows which firewall it talks to.
/// </summary>
internal interface IFirewallEnforcer
{
    /// <summary>Installs the agent's own rules in the closed state (guarded ports refused from everyone).
    /// Throws <see cref="FirewallUnavailableException"/> when the firewall cannot be driven at all.</summary>
    Task InstallClosedAsync(CancellationToken cancellationToken);

    /// <summary>Replaces every opening with <paramref name="openings"/> in one atomic change. Throws
    /// <see cref="OpeningRefusedException"/> (and changes nothing) when any opening is unsafe.</summary>
    Task ApplyAsync(IReadOnlyList<OpeningV1> openings, CancellationToken cancellationToken);

    /// <summary>Absolute counters since the rules were installed (or since an address was first seen).</summary>
    Task<FirewallCounters> ReadCountersAsync(CancellationToken cancellationToken);
}
