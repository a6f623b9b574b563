using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// Turns openings into firewall elements, or refuses the whole state. The server validates too; this is the
/// second line, because a mistake here opens the port to strangers (DESIGN: "never from any/0.0.0.0/0,
/// refused at validation, asserted again in the agent").
/// </summary>
internal static class OpeningValidator
{
    /// <summary>Validates every opening; expired ones (SecondsRemaining ≤ 0) are skipped, not refused. A peer in
    /// several openings gets the longest remaining time, because an element can be added only once per batch.</summary>
    public static IReadOnlyList<PeerAllowance> ToAllowances(
        IReadOnlyList<OpeningV1> openings, IReadOnlyList<int> guardedPorts, IReadOnlySet<IPAddress> ownAddresses)
    {
        var reasons = new List<string>();
        var allowances = new Dictionary<(string Peer, int Port), PeerAllowance>();

        foreach (var opening in openings)
        {
            var where = $"opening of run {opening.RunId.ToString(CultureInfo.InvariantCulture)}";
            if (!string.Equals(opening.Transport, TransportV1.Tcp, StringComparison.OrdinalIgnoreCase))
            {
                reasons.Add($"{where}: transport '{opening.Transport}' is not supported (only tcp)");
            }

            if (opening.Port is < 1 or > 65535)
            {
                reasons.Add($"{where}: port {opening.Port} is outside 1..65535");
            }
            else if (!guardedPorts.Contains(opening.Port))
            {
                reasons.Add($"{where}: port {opening.Port} is not guarded by this agent (guarded: {string.Join(",", guardedPorts)}), so it cannot be opened selectively");
            }

            if (opening.AllowedPeers is null)
            {
                reasons.Add($"{where}: allowedPeers is missing");
                continue;
            }

            foreach (var peer in opening.AllowedPeers)
            {
                if (PeerProblem(peer, ownAddresses) is { } problem)
                {
                    reasons.Add($"{where}: peer '{peer}' {problem}");
                    continue;
                }

                if (opening.SecondsRemaining <= 0)
                {
                    continue;
                }

                var address = IPAddress.Parse(peer);
                var canonical = address.ToString();
                var key = (canonical, opening.Port);
                if (!allowances.TryGetValue(key, out var existing) || existing.Seconds < opening.SecondsRemaining)
                {
                    allowances[key] = new PeerAllowance(
                        canonical, address.AddressFamily == AddressFamily.InterNetworkV6, opening.Port, opening.SecondsRemaining);
                }
            }
        }

        if (reasons.Count > 0)
        {
            throw new OpeningRefusedException(reasons);
        }

        return allowances.Values
            .OrderBy(a => a.IsIPv6).ThenBy(a => a.Peer, StringComparer.Ordinal).ThenBy(a => a.Port)
            .ToList();
    }

    /// <summary>Why <paramref name="peer"/> is not a single remote unicast address, or null when it is.</summary>
    private static string? PeerProblem(string? peer, IReadOnlySet<IPAddress> ownAddresses)
    {
        if (string.IsNullOrWhiteSpace(peer))
        {
            return "is empty; expected a single IPv4 or IPv6 address";
        }

        if (peer.Contains('/', StringComparison.Ordinal) || peer.Contains('-', StringComparison.Ordinal) ||
            peer.Contains('*', StringComparison.Ordinal) || peer.Contains('%', StringComparison.Ordinal))
        {
            return "is a range, prefix or scoped address; expected a single address";
        }

        if (!IPAddress.TryParse(peer, out var address))
        {
            return "is not an IP address";
        }

        // IPAddress.TryParse also accepts "10", "10.1" or "0x0a.1"; only the dotted quad is unambiguous.
        if (address.AddressFamily == AddressFamily.InterNetwork && address.ToString() != peer)
        {
            return $"is not a dotted-quad IPv4 address (it would mean {address})";
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return "is the unspecified address, which would mean 'anyone'";
        }

        if (address.Equals(IPAddress.Broadcast) || IsMulticast(address))
        {
            return "is a broadcast/multicast address, not a peer";
        }

        if (IPAddress.IsLoopback(address))
        {
            return "is a loopback address, not a peer";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return "is an IPv4-mapped IPv6 address; send the IPv4 form";
        }

        if (ownAddresses.Contains(address))
        {
            return "is one of this endpoint's own addresses";
        }

        return null;
    }

    private static bool IsMulticast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? address.IsIPv6Multicast
            : (address.GetAddressBytes()[0] & 0xF0) == 0xE0;
}
