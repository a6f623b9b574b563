using System.Globalization;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// Splits a desired state into the openings that pass <see cref="OpeningValidator"/> and those that do not. The unit is
/// one opening (one run on one port): a run whose peer list has one bad entry is refused whole, so the agent never
/// enforces half a run's membership, while the other runs stay in force. Leaving an opening out only narrows: the sets
/// are replaced, never merged, so no stale or wider opening survives (see docs/decisions.md).
/// </summary>
internal static class OpeningSelection
{
    public static (IReadOnlyList<OpeningV1> Valid, IReadOnlyList<string> Refused) Split(
        IReadOnlyList<OpeningV1?> openings, IReadOnlyList<int> guardedPorts, IReadOnlySet<System.Net.IPAddress> ownAddresses,
        IPeerSets? peerSets = null)
    {
        var valid = new List<OpeningV1>();
        var refused = new List<string>();
        for (var i = 0; i < openings.Count; i++)
        {
            var opening = openings[i];
            if (opening is null)
            {
                refused.Add(string.Create(CultureInfo.InvariantCulture, $"opening #{i}: missing"));
                continue;
            }

            try
            {
                _ = OpeningValidator.ToAllowances([opening], guardedPorts, ownAddresses, peerSets);
                valid.Add(opening);
            }
            catch (OpeningRefusedException ex)
            {
                refused.AddRange(ex.Reasons);
            }
        }

        return (valid, refused);
    }
}
