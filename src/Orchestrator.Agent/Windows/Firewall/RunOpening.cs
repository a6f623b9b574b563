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
    /// port. Expired openings are left out, as on Linux.</summary>
    public static IReadOnlyList<RunOpening> From(
        IReadOnlyList<OpeningV1> openings, IReadOnlyList<int> guardedPorts, IReadOnlySet<IPAddress> ownAddresses)
    {
        _ = OpeningValidator.ToAllowances(openings, guardedPorts, ownAddresses);
        return openings
            .Where(o => o.SecondsRemaining > 0)
            .GroupBy(o => (o.RunId, o.Port))
            .Select(g => new RunOpening(
                g.Key.RunId,
                g.Key.Port,
                g.SelectMany(o => o.AllowedPeers).Select(IPAddress.Parse).Distinct()
                    .OrderBy(a => a.AddressFamily).ThenBy(a => a.GetAddressBytes(), ByteOrder.Instance).ToList(),
                g.Max(o => o.SecondsRemaining)))
            .OrderBy(r => r.RunId).ThenBy(r => r.Port)
            .ToList();
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
