using Orchestrator.Core.Reports;
using Orchestrator.Data.DeliveryOptimization;
using Orchestrator.Data.Traffic;
using Orchestrator.Protocol;

namespace Orchestrator.Server.Agents;

/// <summary>A validated report's Delivery Optimization statistics as the store takes them.</summary>
internal static class DeliveryOptimizationIngest
{
    public static DeliveryOptimizationReport From(long endpointId, string reportId, DeliveryOptimizationStatsV1 stats) => new(
        endpointId,
        reportId,
        new DeliveryOptimizationBytes(
            stats.BytesFromHttp, stats.BytesFromPeers, stats.BytesFromLanPeers, stats.BytesFromGroupPeers, stats.BytesFromInternetPeers,
            stats.BytesFromCacheServer, stats.BytesToLanPeers, stats.BytesToGroupPeers, stats.BytesToInternetPeers),
        stats.Peers.Select(p => new PeerBytes(p.Peer, p.BytesServed, p.BytesReceived)).ToList());
}
