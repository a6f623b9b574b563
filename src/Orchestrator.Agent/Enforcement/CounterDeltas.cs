namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// Turns absolute firewall counters into deltas. nft 1.0.6 cannot reset a set's counters, so the agent keeps
/// the previous reading. A counter that went backwards or an address that vanished and came back means the
/// element was re-created (idle expiry, table re-installed): its current value is all new traffic.
/// </summary>
internal sealed class CounterDeltas
{
    private FirewallCounters previous = FirewallCounters.Empty;

    /// <summary>Deltas since the previous call (zero deltas left out); <paramref name="current"/> becomes the baseline.</summary>
    public FirewallCounters Next(FirewallCounters current)
    {
        var deltas = new FirewallCounters(
            Delta(previous.ServedBytes, current.ServedBytes),
            Delta(previous.ReceivedBytes, current.ReceivedBytes),
            Delta(previous.BlockedPackets, current.BlockedPackets));
        previous = current;
        return deltas;
    }

    private static Dictionary<TKey, long> Delta<TKey>(IReadOnlyDictionary<TKey, long> before, IReadOnlyDictionary<TKey, long> now)
        where TKey : notnull
    {
        var result = new Dictionary<TKey, long>();
        foreach (var (key, value) in now)
        {
            var delta = before.TryGetValue(key, out var old) && value >= old ? value - old : value;
            if (delta > 0)
            {
                result[key] = delta;
            }
        }

        return result;
    }
}
