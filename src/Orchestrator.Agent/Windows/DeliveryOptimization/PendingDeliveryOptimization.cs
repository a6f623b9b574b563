using Orchestrator.Agent.Reporting;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>What the sampler counted and no report has taken yet, summed per source and per peer. The sampler adds,
/// the report loop takes; thread-safe.</summary>
internal sealed class PendingDeliveryOptimization : IDeliveryOptimizationFeed
{
    private readonly Lock sync = new();
    private readonly Dictionary<string, PeerBytes> peers = new(StringComparer.Ordinal);
    private ContentSources sources = ContentSources.Zero;

    public void Add(ContentSources moved)
    {
        lock (sync)
        {
            sources = sources.Plus(moved);
        }
    }

    public void Add(IReadOnlyDictionary<string, PeerBytes> perPeer)
    {
        lock (sync)
        {
            foreach (var (peer, bytes) in perPeer.Where(p => p.Value != PeerBytes.Zero))
            {
                var sum = peers.GetValueOrDefault(peer) ?? PeerBytes.Zero;
                peers[peer] = new PeerBytes(sum.Sent + bytes.Sent, sum.Received + bytes.Received);
            }
        }
    }

    public DeliveryOptimizationStatsV1? Take()
    {
        lock (sync)
        {
            if (sources == ContentSources.Zero && peers.Count == 0)
            {
                return null;
            }

            var s = sources;
            var stats = new DeliveryOptimizationStatsV1(
                s.FromHttp, s.FromPeers, s.FromLanPeers, s.FromGroupPeers, s.FromInternetPeers, s.FromCacheServer,
                s.ToLanPeers, s.ToGroupPeers, s.ToInternetPeers,
                peers.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PeerTrafficV1(p.Key, p.Value.Sent, p.Value.Received)).ToList());
            sources = ContentSources.Zero;
            peers.Clear();
            return stats;
        }
    }
}
