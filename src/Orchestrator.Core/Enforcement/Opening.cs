using System.Net;

namespace Orchestrator.Core.Enforcement;

/// <summary>One run's opening on one endpoint: what the endpoint's firewall must accept, and until when.</summary>
public sealed record Opening(long RunId, IReadOnlyList<PortRule> Ports, IReadOnlyList<IPAddress> AllowedPeers, DateTimeOffset EndsAt)
{
    /// <summary>Whole seconds left, rounded up so a run never closes early; 0 once it has ended.</summary>
    public int SecondsRemaining(DateTimeOffset now) => SecondsUntil(EndsAt, now);

    /// <summary>Whole seconds from <paramref name="now"/> to <paramref name="endsAt"/>, rounded up; 0 once it has passed.</summary>
    public static int SecondsUntil(DateTimeOffset endsAt, DateTimeOffset now) =>
        endsAt <= now ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling((endsAt - now).TotalSeconds));
}
