using System.Net;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>One allow rule: <see cref="Peers"/> may reach TCP <see cref="Port"/> for <see cref="Seconds"/> more
/// seconds because run <see cref="RunId"/> is open.</summary>
internal sealed record RunOpening(long RunId, int Port, IReadOnlyList<IPAddress> Peers, int Seconds)
{
    public string RuleName => FirewallNames.RunRule(RunId, Port);

    public string TaskName => FirewallNames.CloseTask(RunId, Port);

    /// <summary>Validates <paramref name="openings"/> with the same rules as Linux (throws
    /// <see cref="OpeningRefusedException"/> and nothing is applied), then groups them into one rule per run and
    /// port. Expired openings are left out, as on Linux. A run's peer set is expanded to its addresses (exact: a range
    /// holds only members' addresses; its size is bounded by Agent:MaxPeerSetAddresses).</summary>
    public static IReadOnlyList<RunOpening> From(
        IReadOnlyList<OpeningV1> openings, IReadOnlyList<int> guardedPorts, IReadOnlySet<IPAddress> ownAddresses, IPeerSets? peerSets = null)
    {
        _ = OpeningValidator.ToAllowances(openings, guardedPorts, ownAddresses, peerSets);
        return openings
            .Where(o => o.SecondsRemaining > 0)
            .GroupBy(o => (o.RunId, o.Port))
            .Select(g => new RunOpening(
                g.Key.RunId,
                g.Key.Port,
                OpeningValidator.ToAllowances([.. g], guardedPorts, ownAddresses, peerSets).SelectMany(a => Addresses(a.Peer)).Distinct()
                    .OrderBy(a => a.AddressFamily).ThenBy(a => a.GetAddressBytes(), ByteOrder.Instance).ToList(),
                g.Max(o => o.SecondsRemaining)))
            .OrderBy(r => r.RunId).ThenBy(r => r.Port)
            .ToList();
    }

    /// <summary>The addresses of one allowance: a single address, or every address of a range <c>first-last</c>.</summary>
    private static IEnumerable<IPAddress> Addresses(string peer)
    {
        var dash = peer.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            yield return IPAddress.Parse(peer);
            yield break;
        }

        var (first, last) = (IPAddress.Parse(peer[..dash]).GetAddressBytes(), IPAddress.Parse(peer[(dash + 1)..]).GetAddressBytes());
        while (true)
        {
            yield return new IPAddress(first);
            if (first.AsSpan().SequenceEqual(last))
            {
                yield break;
            }

            for (var i = first.Length - 1; i >= 0 && ++first[i] == 0; i--)
            {
                // Carry into the next byte up.
            }
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
