using Orchestrator.Core.Enforcement;

namespace Orchestrator.Agent.Enforcement;

/// <summary>The verified peer sets the agent holds, by content hash (see <see cref="PeerSetStore"/>).</summary>
internal interface IPeerSets
{
    /// <summary>The verified ranges of the set named <paramref name="hash"/>; false with the reason when the agent does not
    /// hold it (never fetched, fetch failed, or the server's set failed verification).</summary>
    bool TryGet(string hash, out IReadOnlyList<AddressRange> ranges, out string problem);
}
