using Orchestrator.Core.Enforcement;

namespace Orchestrator.Data.Postgres;

/// <summary>Parsed run peer sets by run id, bounded. A run's set is written once, when it opens, so a parsed one stays
/// true; only the traffic writer (one batch at a time) uses it.</summary>
internal sealed class PeerSetCache
{
    private const int Limit = 1_000;
    private readonly Dictionary<long, RunPeerSet> _parsed = [];

    public bool TryGet(long runId, out RunPeerSet set) => _parsed.TryGetValue(runId, out set!);

    /// <param name="stored">The stored text; null when the run has none (parsed as the empty set, as the SQLite store does).</param>
    public RunPeerSet Add(long runId, string? stored)
    {
        if (_parsed.Count >= Limit)
        {
            _parsed.Clear();
        }

        var set = RunPeerSet.Parse(stored ?? "");
        _parsed[runId] = set;
        return set;
    }
}
