using System.Text.Json.Serialization;

namespace Orchestrator.Protocol;

/// <summary>
/// What Delivery Optimization moved on a Windows endpoint since the previous accepted report (deltas, like every
/// counter), as Delivery Optimization itself counts it: bytes by source, bytes sent to peers, and per peer address.
/// Kept apart from <see cref="AgentReportV1.Traffic"/> because it is measured differently (Delivery Optimization's own
/// status and connection log, all of its connections, not packets on the peering port). Added later in v1 and optional.
/// </summary>
/// <param name="BytesFromHttp">From HTTP sources (Microsoft's CDN, the update server), cache servers included.</param>
/// <param name="BytesFromPeers">From peers of every kind, as Delivery Optimization sums them (LAN + group + Internet).</param>
/// <param name="BytesFromLanPeers">From peers on the same network.</param>
/// <param name="BytesFromGroupPeers">From peers of the same Delivery Optimization group id.</param>
/// <param name="BytesFromInternetPeers">From peers outside the network.</param>
/// <param name="BytesFromCacheServer">From a Connected Cache server (also counted in <paramref name="BytesFromHttp"/>).</param>
/// <param name="BytesToLanPeers">Sent to peers on the same network.</param>
/// <param name="BytesToGroupPeers">Sent to peers of the same group id.</param>
/// <param name="BytesToInternetPeers">Sent to peers outside the network.</param>
/// <param name="Peers">Per peer address: <see cref="PeerTrafficV1.BytesServed"/> = bytes sent to that peer,
/// <see cref="PeerTrafficV1.BytesReceived"/> = bytes received from it. Counts toward
/// <see cref="AgentProtocolV1.MaxRowsPerReport"/>.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record DeliveryOptimizationStatsV1(
    long BytesFromHttp,
    long BytesFromPeers,
    long BytesFromLanPeers,
    long BytesFromGroupPeers,
    long BytesFromInternetPeers,
    long BytesFromCacheServer,
    long BytesToLanPeers,
    long BytesToGroupPeers,
    long BytesToInternetPeers,
    IReadOnlyList<PeerTrafficV1> Peers);
