using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Core.Endpoints;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// Turns openings into firewall elements, or refuses the whole state. The server validates too; this is the
/// second line, because a mistake here opens the port to strangers (docs/design.md: "never from any/0.0.0.0/0,
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
                if (PeerProblem(peer, ownAddresses, out var address) is { } problem)
                {
                    reasons.Add($"{where}: peer '{peer}' {problem}");
                    continue;
                }

                if (opening.SecondsRemaining <= 0)
                {
                    continue;
                }

                var canonical = address!.ToString();
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

    /// <summary>
    /// Why <paramref name="peer"/> is not a single remote unicast address, or null when it is. The address rule is
    /// Core's, the very one the server applies when an address enters, so the server never sends what this refuses.
    /// </summary>
    private static string? PeerProblem(string? peer, IReadOnlySet<IPAddress> ownAddresses, out IPAddress? address)
    {
        if (PeerAddresses.Problem(peer, out address) is { } problem)
        {
            return problem;
        }

        return ownAddresses.Contains(address!) ? "is one of this endpoint's own addresses" : null;
    }
}
