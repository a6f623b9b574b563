using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Orchestrator.Core.Endpoints;

/// <summary>
/// The only addresses that may ever appear in an allow-list: single unicast hosts. Wildcards, ranges,
/// loopback and multicast are refused here so that no path can widen an opening beyond the group.
/// </summary>
public static class PeerAddresses
{
    public static bool TryParseUsable(string? text, [NotNullWhen(true)] out IPAddress? address, out string error)
    {
        address = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text) || text.Contains('/', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var parsed))
        {
            error = $"'{text}' is not a single IPv4 or IPv6 address (ranges and CIDR are not endpoint addresses)";
            return false;
        }

        if (!IsUsable(parsed))
        {
            error = $"'{text}' cannot be an endpoint address (unspecified, loopback, broadcast or multicast)";
            return false;
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        return true;
    }

    public static bool IsUsable(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return !(address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None)
            || address.Equals(IPAddress.Broadcast) || IPAddress.IsLoopback(address)
            || address.IsIPv6Multicast || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224));
    }
}
