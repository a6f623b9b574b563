using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Core.Endpoints;

namespace Orchestrator.Core.Enforcement;

/// <summary>
/// Every address from <see cref="First"/> to <see cref="Last"/>, inclusive, of one family. Written as the single address
/// when both are equal, otherwise <c>first-last</c> (the form nftables interval sets and Windows Firewall's
/// RemoteAddress both accept).
/// </summary>
public readonly record struct AddressRange
{
    private AddressRange(IPAddress first, IPAddress last, UInt128 low, UInt128 high)
    {
        First = first;
        Last = last;
        Low = low;
        High = high;
    }

    public IPAddress First { get; }

    public IPAddress Last { get; }

    public bool IsIPv6 => First.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>How many addresses the range holds.</summary>
    public UInt128 Size => High - Low + 1;

    internal UInt128 Low { get; }

    internal UInt128 High { get; }

    /// <summary>A range of one family with <paramref name="first"/> ≤ <paramref name="last"/>.</summary>
    public static AddressRange Of(IPAddress first, IPAddress last)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(last);
        if (first.AddressFamily != last.AddressFamily)
        {
            throw new ArgumentException($"{first} and {last} are of different families.", nameof(last));
        }

        var (low, high) = (ToNumber(first), ToNumber(last));
        if (low > high)
        {
            throw new ArgumentException($"{first} comes after {last}.", nameof(last));
        }

        return new AddressRange(first, last, low, high);
    }

    public static AddressRange OfOne(IPAddress address) => Of(address, address);

    public bool Contains(IPAddress address) =>
        address.AddressFamily == First.AddressFamily && ToNumber(address) is var n && n >= Low && n <= High;

    public override string ToString() => Low == High ? First.ToString() : $"{First}-{Last}";

    /// <summary>
    /// Parses the text form under the peer rule: both ends must be usable peer addresses in canonical form (the rule of
    /// <see cref="PeerAddresses"/>), of one family, in order, and no address between them may be one the rule refuses
    /// (a range must not reach into loopback, multicast, link-local or reserved space).
    /// </summary>
    public static bool TryParse(string? text, out AddressRange range, [NotNullWhen(false)] out string? error)
    {
        range = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "is empty; expected an address or a range first-last";
            return false;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var (firstText, lastText) = dash < 0 ? (text, text) : (text[..dash], text[(dash + 1)..]);
        if (PeerAddresses.Problem(firstText, out var first) is { } firstProblem)
        {
            error = $"starts with '{firstText}', which {firstProblem}";
            return false;
        }

        if (PeerAddresses.Problem(lastText, out var last) is { } lastProblem)
        {
            error = $"ends with '{lastText}', which {lastProblem}";
            return false;
        }

        if (first!.AddressFamily != last!.AddressFamily)
        {
            error = "mixes IPv4 and IPv6";
            return false;
        }

        if (ToNumber(first) >= ToNumber(last) && dash >= 0)
        {
            error = "does not run upwards (write a single address without a dash)";
            return false;
        }

        var parsed = Of(first, last);
        foreach (var block in ForbiddenBlocks)
        {
            if (block.Family == first.AddressFamily && block.Low <= parsed.High && parsed.Low <= block.High)
            {
                error = $"spans {block.Name}, which no peer may be";
                return false;
            }
        }

        range = parsed;
        error = null;
        return true;
    }

    /// <summary>The address as an unsigned number (IPv4 in the low 32 bits), for ordering and arithmetic on ranges.</summary>
    public static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        UInt128 value = 0;
        for (var i = 0; i < written; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    /// <summary>The address of <paramref name="family"/> whose number is <paramref name="value"/>.</summary>
    public static IPAddress FromNumber(UInt128 value, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = new byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }

    /// <summary>Blocks the peer rule refuses every address of; a range between two usable ends could still cross one.</summary>
    private static readonly (AddressFamily Family, UInt128 Low, UInt128 High, string Name)[] ForbiddenBlocks =
    [
        V4("0.0.0.0", "0.255.255.255", "0.0.0.0/8"),
        V4("127.0.0.0", "127.255.255.255", "loopback 127.0.0.0/8"),
        V4("169.254.0.0", "169.254.255.255", "link-local 169.254.0.0/16"),
        V4("224.0.0.0", "255.255.255.255", "multicast/reserved 224.0.0.0/3"),
        V6("::", "::ffff:ffff", "unspecified/loopback/IPv4-compatible ::/96"),
        V6("::ffff:0:0", "::ffff:ffff:ffff", "IPv4-mapped ::ffff:0:0/96"),
        V6("fe80::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local/site-local fe80::/9"),
        V6("ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast ff00::/8"),
    ];

    private static (AddressFamily, UInt128, UInt128, string) V4(string low, string high, string name) =>
        (AddressFamily.InterNetwork, ToNumber(IPAddress.Parse(low)), ToNumber(IPAddress.Parse(high)), name);

    private static (AddressFamily, UInt128, UInt128, string) V6(string low, string high, string name) =>
        (AddressFamily.InterNetworkV6, ToNumber(IPAddress.Parse(low)), ToNumber(IPAddress.Parse(high)), name);
}
