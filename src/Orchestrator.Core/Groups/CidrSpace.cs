using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Core.Groups;

/// <summary>How many addresses a set of CIDRs covers, each address counted once however many rules name it.</summary>
public static class CidrSpace
{
    /// <summary>IPv4 and IPv6 addresses covered. IPv4-mapped IPv6 rules (::ffff:a.b.c.d/n) count as the IPv4 space they
    /// name, so writing a rule in the other family cannot escape the IPv4 bound.</summary>
    public static (long IPv4, UInt128 IPv6) Total(IEnumerable<IPNetwork> networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        var v4 = new List<(UInt128 Start, int Bits)>();
        var v6 = new List<(UInt128 Start, int Bits)>();
        foreach (var network in networks)
        {
            if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            {
                v4.Add((Number(network.BaseAddress), 32 - network.PrefixLength));
            }
            else if (network.PrefixLength >= 96 && network.BaseAddress.IsIPv4MappedToIPv6)
            {
                v4.Add((Number(network.BaseAddress.MapToIPv4()), 128 - network.PrefixLength));
            }
            else
            {
                v6.Add((Number(network.BaseAddress), 128 - network.PrefixLength));
            }
        }

        return ((long)Merged(v4), Merged(v6));
    }

    /// <summary>"2^97" for an exact power of two, the number otherwise.</summary>
    public static string PowerOfTwo(UInt128 value) =>
        UInt128.IsPow2(value) ? $"2^{UInt128.Log2(value)}" : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>CIDR blocks either nest or do not touch: sorted by start (widest first), a block that starts inside
    /// the last counted one lies wholly inside it.</summary>
    private static UInt128 Merged(List<(UInt128 Start, int Bits)> blocks)
    {
        blocks.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Bits.CompareTo(a.Bits));
        UInt128 total = 0;
        UInt128? lastEnd = null;
        foreach (var (start, bits) in blocks)
        {
            if (lastEnd is { } end && start <= end)
            {
                continue;
            }

            // bits ≤ 128: a /0 block (bits 128) is refused per rule, but is counted as the whole space if ever passed.
            var size = bits >= 128 ? UInt128.MaxValue : UInt128.One << bits;
            total = UInt128.MaxValue - total < size ? UInt128.MaxValue : total + size;
            lastEnd = start + (size - 1);
        }

        return total;
    }

    private static UInt128 Number(IPAddress address)
    {
        UInt128 value = 0;
        foreach (var b in address.GetAddressBytes())
        {
            value = (value << 8) | b;
        }

        return value;
    }
}
