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

    /// <summary>
    /// Replaces every opening with the valid ones of <paramref name="openings"/> in one change. An opening that fails
    /// validation is left out whole and named in <see cref="ApplyOutcome.Refused"/>; what is applied is never wider
    /// than what was asked, and nothing of the previous state survives. When the firewall rejects the change, the
    /// enforcer falls back to the closed state and throws <see cref="InvalidOperationException"/>: it fails closed.
    /// </summary>
    Task<ApplyOutcome> ApplyAsync(IReadOnlyList<OpeningV1> openings, CancellationToken cancellationToken);

    /// <summary>Compares the live rules with what this enforcer installed; when they were removed or altered by someone
    /// else, re-installs the closed state plus the current openings with their remaining time and says what it repaired.
    /// Null when nothing needed repair (or nothing is installed yet).</summary>
    Task<FirewallRepair?> VerifyAsync(CancellationToken cancellationToken);

    /// <summary>Change notifications of the firewall, as they happen (one line per event), for as long as the watcher
    /// runs; ends at once when the platform has no event source (the periodic verification is then all there is).</summary>
    IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken);

    /// <summary>Absolute counters since the rules were installed (or since an address was first seen).</summary>
    Task<FirewallCounters> ReadCountersAsync(CancellationToken cancellationToken);
}
