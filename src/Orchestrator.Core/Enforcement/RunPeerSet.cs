using System.Net;
using Orchestrator.Core.Endpoints;

namespace Orchestrator.Core.Enforcement;

/// <summary>
/// A run's peer set: every member's usable addresses, frozen when the run opens and stored once per run. A member accepts
/// the peering port from the set without its own addresses (<see cref="OwnIn"/>), which is exactly what
/// <see cref="AllowLists.For"/> computes per member: an address two members share is excluded for both (each holds it),
/// and allowed for every other member (docs/decisions.md, "peer sets").
/// </summary>
public sealed class RunPeerSet
{
    private RunPeerSet(IReadOnlyList<AddressRange> ranges)
    {
        Ranges = ranges;
        Canonical = AddressRanges.Canonical(ranges);
        Hash = AddressRanges.Hash(ranges);
        Count = (long)AddressRanges.Count(ranges);
    }

    /// <summary>Exact ranges in canonical order (IPv4 first, ascending, disjoint, not adjacent).</summary>
    public IReadOnlyList<AddressRange> Ranges { get; }

    /// <summary>One range per line: the stored form, and the text <see cref="Hash"/> is taken over.</summary>
    public string Canonical { get; }

    /// <summary>Lowercase hex SHA-256 of <see cref="Canonical"/> (<see cref="AddressRanges.Hash"/>).</summary>
    public string Hash { get; }

    /// <summary>How many addresses the set holds.</summary>
    public long Count { get; }

    /// <summary>The set of the members' addresses: mapped IPv6 spellings of IPv4 addresses count as IPv4, and addresses the
    /// peer rule refuses are left out (as <see cref="AllowLists.For"/> does).</summary>
    public static RunPeerSet Of(IEnumerable<IPAddress> memberAddresses)
    {
        ArgumentNullException.ThrowIfNull(memberAddresses);
        return new RunPeerSet(AddressRanges.Compress(memberAddresses.Select(Canonicalize).Where(PeerAddresses.IsUsable)));
    }

    /// <summary>The set of the members' addresses as text; text that is not an IP address is left out.</summary>
    public static RunPeerSet OfText(IEnumerable<string> memberAddresses)
    {
        ArgumentNullException.ThrowIfNull(memberAddresses);
        return Of(memberAddresses.Select(t => IPAddress.TryParse(t, out var a) ? a : null).OfType<IPAddress>());
    }

    /// <summary>
    /// Reads a stored set: one address or range per line, in any order (sets migrated from per-member allow-lists are a
    /// list of single addresses). A line the range rule refuses is left out; the result is exact and canonical again.
    /// </summary>
    public static RunPeerSet Parse(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var ranges = new List<AddressRange>();
        foreach (var line in stored.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (AddressRange.TryParse(line, out var range, out _))
            {
                ranges.Add(range);
            }
        }

        return new RunPeerSet(AddressRanges.IsCanonical(ranges) ? ranges : Merge(ranges));
    }

    /// <summary>True when <paramref name="address"/> is in the set (binary search over the ranges).</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var canonical = Canonicalize(address);
        var (v6, number) = (canonical.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6, AddressRange.ToNumber(canonical));
        var (low, high) = (0, Ranges.Count - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var range = Ranges[middle];
            var order = range.IsIPv6 != v6 ? (range.IsIPv6 ? 1 : -1) : range.High < number ? -1 : range.Low > number ? 1 : 0;
            if (order == 0)
            {
                return true;
            }

            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }

        return false;
    }

    /// <summary>A member's own addresses that are in the set, canonical, ascending: what its allow-list leaves out.</summary>
    /// <remarks>Called for every member when a run's members read their state (10,000 at once for a big group), and
    /// a member has one or two addresses: a list and no query operators.</remarks>
    public IReadOnlyList<IPAddress> OwnIn(IEnumerable<IPAddress> own)
    {
        ArgumentNullException.ThrowIfNull(own);
        var found = new List<IPAddress>(1);
        foreach (var address in own)
        {
            AddIfOwn(found, address);
        }

        return Sorted(found);
    }

    /// <summary>As <see cref="OwnIn(IEnumerable{IPAddress})"/> for addresses as stored (text); text that is not an IP
    /// address is left out.</summary>
    public IReadOnlyList<IPAddress> OwnInText(IEnumerable<string> own)
    {
        ArgumentNullException.ThrowIfNull(own);
        var found = new List<IPAddress>(1);
        foreach (var text in own)
        {
            if (IPAddress.TryParse(text, out var address))
            {
                AddIfOwn(found, address);
            }
        }

        return Sorted(found);
    }

    /// <summary>Every address of the set in canonical order (for agents that take a full list: linear in the set).</summary>
    public IEnumerable<IPAddress> Addresses()
    {
        foreach (var range in Ranges)
        {
            for (var n = range.Low; ; n++)
            {
                yield return AddressRange.FromNumber(n, range.First.AddressFamily);
                if (n == range.High)
                {
                    break;
                }
            }
        }
    }

    private static IPAddress Canonicalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private void AddIfOwn(List<IPAddress> found, IPAddress address)
    {
        var canonical = Canonicalize(address);
        if (Contains(canonical) && !found.Contains(canonical))
        {
            found.Add(canonical);
        }
    }

    // IPv4 first, then ascending (the order the ranges are in).
    private static List<IPAddress> Sorted(List<IPAddress> addresses)
    {
        if (addresses.Count > 1)
        {
            addresses.Sort(static (a, b) => a.AddressFamily != b.AddressFamily
                ? a.AddressFamily.CompareTo(b.AddressFamily)
                : AddressRange.ToNumber(a).CompareTo(AddressRange.ToNumber(b)));
        }

        return addresses;
    }

    // Sorts and joins overlapping or adjacent ranges: the union is unchanged, so the result is still exact.
    private static List<AddressRange> Merge(List<AddressRange> ranges)
    {
        var sorted = ranges.OrderBy(r => r.IsIPv6).ThenBy(r => r.Low).ToList();
        var merged = new List<AddressRange>(sorted.Count);
        foreach (var range in sorted)
        {
            if (merged.Count > 0 && merged[^1] is var last && last.IsIPv6 == range.IsIPv6 && last.High != UInt128.MaxValue && last.High + 1 >= range.Low)
            {
                merged[^1] = range.High > last.High ? AddressRange.Of(last.First, range.Last) : last;
                continue;
            }

            merged.Add(range);
        }

        return merged;
    }
}
