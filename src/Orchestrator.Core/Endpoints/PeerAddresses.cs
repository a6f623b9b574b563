using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Core.Endpoints;

/// <summary>
/// The one rule set for the addresses that may ever appear in an allow-list: single remote unicast hosts, written in
/// canonical form. The server applies it wherever an address enters (endpoints API, import, enrollment, config apply)
/// and the agent applies the same rule to every peer it is sent, so the server never stores an address an agent would
/// refuse (a refused peer makes the agent refuse the whole desired state, and then nothing of the run opens).
/// </summary>
public static class PeerAddresses
{
    /// <summary>The longest textual address worth parsing (an IPv6 address with an IPv4 tail is 45 characters).</summary>
    public const int MaxTextLength = 45;

    /// <summary>Parses <paramref name="text"/> under the rule; <paramref name="error"/> names the text and says why not.</summary>
    public static bool TryParseUsable(string? text, [NotNullWhen(true)] out IPAddress? address, out string error)
    {
        var problem = Problem(text, out address);
        error = problem is null ? "" : $"'{Shown(text)}' {problem}";
        return problem is null;
    }

    /// <summary>
    /// Why <paramref name="text"/> is not a usable peer address (a phrase to follow the quoted text), or null when it
    /// is, with the parsed address. Accepted text is exactly its canonical form, so what is stored is what was sent.
    /// </summary>
    public static string? Problem(string? text, out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text))
        {
            return "is empty; expected a single IPv4 or IPv6 address";
        }

        if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "contains whitespace or control characters; expected the address alone";
        }

        if (text.IndexOfAny(['/', '-', '*', ',']) >= 0)
        {
            return "is a range, prefix or wildcard; expected a single address (ranges and CIDR are not endpoint addresses)";
        }

        if (text.Contains('%', StringComparison.Ordinal))
        {
            return "is a scoped address (zone id); a zone names an interface of one host, so no peer can use it";
        }

        if (text.Length > MaxTextLength || !IPAddress.TryParse(text, out var parsed))
        {
            return "is not an IP address; expected a single IPv4 or IPv6 address";
        }

        if (RangeProblem(parsed) is { } range)
        {
            return range;
        }

        var canonical = parsed.ToString();
        if (!string.Equals(canonical, text, StringComparison.Ordinal))
        {
            // IPAddress.TryParse also accepts "10", "10.1" or "0x0a.1"; only the dotted quad is unambiguous.
            return parsed.AddressFamily == AddressFamily.InterNetwork
                ? $"is not a dotted-quad IPv4 address (it would mean {canonical}); write it as {canonical}"
                : $"is not in canonical form; write it as {canonical}";
        }

        address = parsed;
        return null;
    }

    /// <summary>True when an already parsed address passes the rule (stored addresses are re-checked before use).</summary>
    public static bool IsUsable(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return RangeProblem(address) is null;
    }

    /// <summary>Why <paramref name="address"/> cannot be a peer, whatever its spelling, or null.</summary>
    private static string? RangeProblem(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b switch
            {
                [0, 0, 0, 0] => "is the unspecified address, which would mean 'anyone'",
                [0, ..] => "is in 0.0.0.0/8 ('this network'), not a peer",
                [127, ..] => "is a loopback address, not a peer",
                [169, 254, ..] => "is a link-local address (169.254.0.0/16), valid on one link only",
                [255, 255, 255, 255] => "is the broadcast address, not a peer",
                [>= 240, ..] => "is in the reserved range 240.0.0.0/4, not a peer",
                [>= 224, ..] => "is a multicast address, not a peer",
                _ => null,
            };
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "is not an IP address; expected a single IPv4 or IPv6 address";
        }

        if (address.ScopeId != 0)
        {
            return "is a scoped address (zone id); a zone names an interface of one host, so no peer can use it";
        }

        if (address.Equals(IPAddress.IPv6Any))
        {
            return "is the unspecified address, which would mean 'anyone'";
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "is a loopback address, not a peer";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return $"is an IPv4-mapped IPv6 address; send the IPv4 form {address.MapToIPv4()}";
        }

        var bytes = address.GetAddressBytes();
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            return $"is an IPv4-compatible IPv6 address (deprecated); send the IPv4 form {new IPAddress(bytes.AsSpan(12, 4))}";
        }

        if (address.IsIPv6Multicast)
        {
            return "is a multicast address, not a peer";
        }

        if (address.IsIPv6LinkLocal)
        {
            return "is a link-local address (fe80::/10), valid on one link only";
        }

        return address.IsIPv6SiteLocal ? "is a site-local address (fec0::/10, deprecated), not a peer" : null;
    }

    private static string Shown(string? text) => text is { Length: > 64 } ? text[..64] + "…" : text ?? "";
}
