using System.Globalization;
using System.Net;
using Orchestrator.Core.Endpoints;
using Orchestrator.Core.Enforcement;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// Turns openings into firewall elements, or refuses the whole state. The server validates too; this is the
/// second line, because a mistake here opens the port to strangers (docs/design.md: "never from any/0.0.0.0/0,
/// refused at validation, asserted again in the agent").
/// </summary>
internal static class OpeningValidator
{
    /// <summary>Validates every opening; expired ones (SecondsRemaining ≤ 0) are skipped, not refused. An address in
    /// several openings on one port gets the longest remaining time (see <see cref="AllowanceUnion"/>). An opening that
    /// names a peer set takes its peers from <paramref name="peerSets"/>: the set's verified ranges without the opening's
    /// <c>except</c> addresses and without this endpoint's own addresses.</summary>
    public static IReadOnlyList<PeerAllowance> ToAllowances(
        IReadOnlyList<OpeningV1> openings, IReadOnlyList<int> guardedPorts, IReadOnlySet<IPAddress> ownAddresses, IPeerSets? peerSets = null)
    {
        var reasons = new List<string>();
        var wanted = new List<(AddressRange Peers, int Port, int Seconds)>();

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

            var peers = opening.PeerSet is null
                ? InlinePeers(opening, where, ownAddresses, reasons)
                : SetPeers(opening, opening.PeerSet, where, ownAddresses, peerSets, reasons);
            if (opening.SecondsRemaining > 0)
            {
                wanted.AddRange(peers.Select(p => (p, opening.Port, opening.SecondsRemaining)));
            }
        }

        if (reasons.Count > 0)
        {
            throw new OpeningRefusedException(reasons);
        }

        return AllowanceUnion.Of(wanted)
            .OrderBy(a => a.IsIPv6).ThenBy(a => a.Peer, StringComparer.Ordinal).ThenBy(a => a.Port)
            .ToList();
    }

    /// <summary>The v1 allow-list: single addresses only, and never this endpoint's own.</summary>
    private static List<AddressRange> InlinePeers(OpeningV1 opening, string where, IReadOnlySet<IPAddress> ownAddresses, List<string> reasons)
    {
        var peers = new List<AddressRange>();
        foreach (var peer in opening.AllowedPeers)
        {
            if (PeerProblem(peer, ownAddresses, out var address) is { } problem)
            {
                reasons.Add($"{where}: peer '{peer}' {problem}");
                continue;
            }

            peers.Add(AddressRange.OfOne(address!));
        }

        return peers;
    }

    /// <summary>The peers of a peer-set opening. The set itself was verified when it was fetched (hash, ranges, count);
    /// here the opening must not also list peers (two sources of membership would make either one a way to widen it), and
    /// every <c>except</c> entry must be a usable address, because a malformed one says the state cannot be trusted.</summary>
    private static IReadOnlyList<AddressRange> SetPeers(
        OpeningV1 opening, PeerSetRefV1 reference, string where, IReadOnlySet<IPAddress> ownAddresses, IPeerSets? peerSets, List<string> reasons)
    {
        if (opening.AllowedPeers.Count > 0)
        {
            reasons.Add($"{where}: names peer set {reference.Hash} and also lists {opening.AllowedPeers.Count} allowedPeers; expected one or the other");
            return [];
        }

        var removed = new List<IPAddress>(ownAddresses);
        foreach (var entry in reference.Except ?? [])
        {
            if (PeerAddresses.Problem(entry, out var address) is { } problem)
            {
                reasons.Add($"{where}: peerSet.except entry '{entry}' {problem}");
                continue;
            }

            removed.Add(address!);
        }

        if (peerSets is null)
        {
            reasons.Add($"{where}: names peer set {reference.Hash}, which this enforcer cannot resolve");
            return [];
        }

        if (!peerSets.TryGet(reference.Hash ?? "", out var ranges, out var setProblem))
        {
            reasons.Add($"{where}: peer set {reference.Hash} {setProblem}");
            return [];
        }

        // The set was verified against the first opening naming it; another opening must announce the same size.
        if (AddressRanges.Count(ranges) != (UInt128)Math.Max(0, reference.Addresses))
        {
            reasons.Add($"{where}: peer set {reference.Hash} holds {AddressRanges.Count(ranges)} addresses, the opening announced {reference.Addresses}");
            return [];
        }

        return AddressRanges.Except(ranges, removed);
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
