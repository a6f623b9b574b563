using System.Net;
using System.Net.Sockets;
using Orchestrator.Core.Enforcement;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// Turns the peers of every opening into disjoint firewall elements. An interval set refuses overlapping elements
/// ("File exists"), and an address may be in two runs on the same port (a member of two open groups), so overlaps are cut
/// at every range boundary and each piece gets the longest remaining time of the openings covering it. Nothing is
/// merged: single addresses stay single elements (an inline allow-list installs exactly as before), and the union of the
/// pieces is exactly the union of the inputs.
/// </summary>
internal static class AllowanceUnion
{
    public static IReadOnlyList<PeerAllowance> Of(IEnumerable<(AddressRange Peers, int Port, int Seconds)> wanted)
    {
        var result = new List<PeerAllowance>();
        foreach (var group in wanted.GroupBy(w => (w.Port, w.Peers.IsIPv6)))
        {
            var family = group.Key.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            var events = new List<(UInt128 At, int Seconds, int Delta)>();
            foreach (var (peers, _, seconds) in group)
            {
                events.Add((AddressRange.ToNumber(peers.First), seconds, +1));

                // Never overflows: the last address of either family is multicast/reserved, which no range may reach.
                events.Add((AddressRange.ToNumber(peers.Last) + 1, seconds, -1));
            }

            events.Sort((a, b) => a.At.CompareTo(b.At));
            var active = new SortedDictionary<int, int>();
            var i = 0;
            while (i < events.Count)
            {
                var at = events[i].At;
                for (; i < events.Count && events[i].At == at; i++)
                {
                    var (_, seconds, delta) = events[i];
                    var count = active.GetValueOrDefault(seconds) + delta;
                    if (count == 0)
                    {
                        active.Remove(seconds);
                    }
                    else
                    {
                        active[seconds] = count;
                    }
                }

                if (active.Count > 0 && i < events.Count)
                {
                    var piece = AddressRange.Of(AddressRange.FromNumber(at, family), AddressRange.FromNumber(events[i].At - 1, family));
                    result.Add(new PeerAllowance(piece.ToString(), group.Key.IsIPv6, group.Key.Port, active.Keys.Max()));
                }
            }
        }

        return result;
    }
}
