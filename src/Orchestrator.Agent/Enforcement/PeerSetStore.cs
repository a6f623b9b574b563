using System.Globalization;
using Orchestrator.Core.Enforcement;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// The peer sets this agent holds, in memory, by content hash. Only sets that pass <see cref="Verify"/> are held; a set
/// that failed is remembered with its reason so that the openings naming it are refused with that reason. The store is
/// bounded by the state: <see cref="Retain"/> drops every set the current openings no longer name, so it holds at most
/// one set per open run.
/// </summary>
internal sealed class PeerSetStore : IPeerSets
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, IReadOnlyList<AddressRange>> held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> failed = new(StringComparer.Ordinal);

    /// <summary>How many sets are held (for tests and logs).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return held.Count;
            }
        }
    }

    public bool Holds(string hash)
    {
        lock (gate)
        {
            return held.ContainsKey(hash);
        }
    }

    public bool TryGet(string hash, out IReadOnlyList<AddressRange> ranges, out string problem)
    {
        lock (gate)
        {
            if (held.TryGetValue(hash, out var found))
            {
                (ranges, problem) = (found, "");
                return true;
            }

            (ranges, problem) = ([], failed.GetValueOrDefault(hash) ?? "is not held by this agent (not fetched)");
            return false;
        }
    }

    public void Hold(string hash, IReadOnlyList<AddressRange> ranges)
    {
        lock (gate)
        {
            held[hash] = ranges;
            failed.Remove(hash);
        }
    }

    public void Fail(string hash, string problem)
    {
        lock (gate)
        {
            failed[hash] = problem;
        }
    }

    /// <summary>Forgets every set (and failure) not in <paramref name="hashes"/>.</summary>
    public void Retain(IReadOnlySet<string> hashes)
    {
        lock (gate)
        {
            foreach (var hash in held.Keys.Where(h => !hashes.Contains(h)).ToList())
            {
                held.Remove(hash);
            }

            foreach (var hash in failed.Keys.Where(h => !hashes.Contains(h)).ToList())
            {
                failed.Remove(hash);
            }
        }
    }

    /// <summary>
    /// The ranges of <paramref name="set"/> when it is exactly the set <paramref name="reference"/> names, or the reason it
    /// is not: the hash answered must be the one asked for and must be the hash of the ranges as sent; every range must
    /// parse under the peer rule (no range reaching into loopback, multicast, link-local or reserved space); the ranges
    /// must be canonical (so one set has one text and one hash); and they must hold exactly the number of addresses the
    /// state announced, so a set cannot be wider than the run the server described, and at most
    /// <paramref name="maxAddresses"/> (Agent:MaxPeerSetAddresses).
    /// </summary>
    public static (IReadOnlyList<AddressRange>? Ranges, string? Problem) Verify(PeerSetRefV1 reference, PeerSetV1? set, long maxAddresses)
    {
        if (TooLarge(reference, maxAddresses) is { } tooLarge)
        {
            return (null, tooLarge);
        }

        if (set?.Ranges is null || set.Hash is null)
        {
            return (null, "was answered without a hash or ranges");
        }

        if (!string.Equals(set.Hash, reference.Hash, StringComparison.Ordinal))
        {
            return (null, $"was answered with another hash ({set.Hash})");
        }

        var ranges = new List<AddressRange>(set.Ranges.Count);
        for (var i = 0; i < set.Ranges.Count; i++)
        {
            if (!AddressRange.TryParse(set.Ranges[i], out var range, out var error))
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"is refused: range #{i} '{set.Ranges[i]}' {error}"));
            }

            ranges.Add(range);
        }

        if (!AddressRanges.IsCanonical(ranges))
        {
            return (null, "is refused: its ranges are not canonical (IPv4 first, ascending, disjoint, not adjacent)");
        }

        if (AddressRanges.Hash(ranges) is var actual && !string.Equals(actual, reference.Hash, StringComparison.Ordinal))
        {
            return (null, $"is refused: its ranges hash to {actual}, not to the hash they were sent under");
        }

        var count = AddressRanges.Count(ranges);
        if (reference.Addresses < 0 || count != (UInt128)reference.Addresses)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"is refused: it holds {count} addresses, the state announced {reference.Addresses}"));
        }

        return (ranges, null);
    }

    /// <summary>Why a set announced this large is refused before it is even fetched, or null.</summary>
    public static string? TooLarge(PeerSetRefV1 reference, long maxAddresses) => reference.Addresses > maxAddresses
        ? string.Create(CultureInfo.InvariantCulture, $"is refused: it holds {reference.Addresses} addresses, more than Agent:MaxPeerSetAddresses ({maxAddresses})")
        : null;

    /// <summary>True for a hash as the protocol writes it (64 lowercase hex digits); anything else is never put in a URL.</summary>
    public static bool IsHash(string? hash) => hash is { Length: 64 } && hash.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
