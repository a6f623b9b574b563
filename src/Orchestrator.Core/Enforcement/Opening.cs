using System.Net;

namespace Orchestrator.Core.Enforcement;

/// <summary>One run's opening on one endpoint: what the endpoint's firewall must accept, and until when.</summary>
public sealed record Opening(long RunId, IReadOnlyList<PortRule> Ports, IReadOnlyList<IPAddress> AllowedPeers, DateTimeOffset EndsAt)
{
    /// <summary>Whole seconds left, rounded up so a run never closes early; 0 once it has ended.</summary>
    public int SecondsRemaining(DateTimeOffset now) =>
        EndsAt <= now ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling((EndsAt - now).TotalSeconds));
}
