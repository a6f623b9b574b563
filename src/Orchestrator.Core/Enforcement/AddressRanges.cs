using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Core.Enforcement;

/// <summary>
/// A run's peer set written as the fewest exact ranges: a range is emitted only for a run of consecutive addresses that
/// are all in the set, so the ranges hold exactly the set's addresses, never one more (docs/decisions.md, "peer sets").
/// Ranges are in canonical order: IPv4 before IPv6, ascending, disjoint and not adjacent.
/// </summary>
public static class AddressRanges
{
    /// <summary>The exact, minimal ranges of <paramref name="addresses"/> (duplicates and order do not matter).</summary>
    public static IReadOnlyList<AddressRange> Compress(IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var result = new List<AddressRange>();
        foreach (var family in addresses.GroupBy(a => a.AddressFamily).OrderBy(g => g.Key == AddressFamily.InterNetworkV6))
        {
            var numbers = family.Select(AddressRange.ToNumber).Distinct().Order().ToList();
            var start = 0;
            for (var i = 1; i <= numbers.Count; i++)
            {
                // A run ends where the next number is not its successor: every address inside a run is in the set.
                if (i == numbers.Count || numbers[i] != numbers[i - 1] + 1)
                {
                    result.Add(AddressRange.Of(
                        AddressRange.FromNumber(numbers[start], family.Key), AddressRange.FromNumber(numbers[i - 1], family.Key)));
                    start = i;
                }
            }
        }

        return result;
    }

    /// <summary>
    /// <paramref name="ranges"/> without <paramref name="removed"/> (a member's own addresses), still exact and canonical:
    /// a removed address splits its range in two.
    /// </summary>
    public static IReadOnlyList<AddressRange> Except(IReadOnlyList<AddressRange> ranges, IEnumerable<IPAddress> removed)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(removed);
        var holes = removed.Select(a => (a.AddressFamily, Number: AddressRange.ToNumber(a))).ToHashSet();
        if (holes.Count == 0)
        {
            return ranges;
        }

        var result = new List<AddressRange>(ranges.Count + holes.Count);
        foreach (var range in ranges)
        {
            var family = range.First.AddressFamily;
            var cuts = holes.Where(h => h.AddressFamily == family && h.Number >= range.Low && h.Number <= range.High)
                .Select(h => h.Number).Order().ToList();
            var low = range.Low;
            foreach (var cut in cuts)
            {
                if (cut > low)
                {
                    result.Add(AddressRange.Of(AddressRange.FromNumber(low, family), AddressRange.FromNumber(cut - 1, family)));
                }

                low = cut + 1;
            }

            if (cuts.Count == 0)
            {
                result.Add(range);
            }
            else if (cuts[^1] < range.High)
            {
                result.Add(AddressRange.Of(AddressRange.FromNumber(low, family), range.Last));
            }
        }

        return result;
    }

    /// <summary>How many addresses the ranges hold together.</summary>
    public static UInt128 Count(IReadOnlyList<AddressRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        UInt128 total = 0;
        foreach (var range in ranges)
        {
            total += range.Size;
        }

        return total;
    }

    /// <summary>True when the ranges are in canonical order: IPv4 first, ascending, disjoint and not adjacent (so two
    /// different lists never describe the same set, and the content hash identifies the set).</summary>
    public static bool IsCanonical(IReadOnlyList<AddressRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        for (var i = 1; i < ranges.Count; i++)
        {
            var (before, after) = (ranges[i - 1], ranges[i]);
            if (before.IsIPv6 == after.IsIPv6 ? before.High == UInt128.MaxValue || before.High + 1 >= after.Low : before.IsIPv6)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The canonical text (one range per line, no trailing newline) that <see cref="Hash"/> is taken over.</summary>
    public static string Canonical(IReadOnlyList<AddressRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        return string.Join('\n', ranges.Select(r => r.ToString()));
    }

    /// <summary>Content hash: lowercase hex SHA-256 of <see cref="Canonical"/> in UTF-8. The same set always has the same
    /// hash, so a desired state can name the set and an agent that holds it fetches nothing.</summary>
    public static string Hash(IReadOnlyList<AddressRange> ranges) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(ranges))));
}
