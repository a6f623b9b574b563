using System.Net;
using System.Net.Sockets;
using Orchestrator.Core.Enforcement;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>
/// Every address except the given ones, as Windows Firewall address ranges. Windows Firewall has no "except":
/// a block rule always beats an allow rule, so the guard rule that refuses the port to everyone must leave out
/// exactly the peers that an allow rule lets in.
/// </summary>
internal static class AddressComplement
{
    private static readonly UInt128 MaxIPv4 = uint.MaxValue;
    private static readonly UInt128 MaxIPv6 = UInt128.MaxValue;

    /// <summary>"Any" when <paramref name="excluded"/> is empty; otherwise IPv4 ranges then IPv6 ranges, ascending,
    /// written <c>first-last</c> (or a single address) in canonical form.</summary>
    public static IReadOnlyList<string> Of(IEnumerable<IPAddress> excluded)
    {
        var addresses = excluded.Distinct().ToList();
        if (addresses.Count == 0)
        {
            return ["Any"];
        }

        return
        [
            .. Ranges(addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork), MaxIPv4, AddressFamily.InterNetwork),
            .. Ranges(addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6), MaxIPv6, AddressFamily.InterNetworkV6),
        ];
    }

    private static IEnumerable<string> Ranges(IEnumerable<IPAddress> excluded, UInt128 max, AddressFamily family)
    {
        var next = UInt128.Zero;
        var exhausted = false;
        foreach (var value in excluded.Select(AddressRange.ToNumber).Order())
        {
            if (value > next)
            {
                yield return Range(next, value - 1, family);
            }

            if (value == max)
            {
                exhausted = true;
                break;
            }

            next = value + 1;
        }

        if (!exhausted)
        {
            yield return Range(next, max, family);
        }
    }

    private static string Range(UInt128 first, UInt128 last, AddressFamily family) =>
        first == last ? AddressRange.FromNumber(first, family).ToString() : $"{AddressRange.FromNumber(first, family)}-{AddressRange.FromNumber(last, family)}";

}
