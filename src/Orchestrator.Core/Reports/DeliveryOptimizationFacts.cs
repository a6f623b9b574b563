namespace Orchestrator.Core.Reports;

/// <summary>What Delivery Optimization counted on one Windows member during a run, summed over its reports.</summary>
/// <param name="FromHttp">Downloaded over HTTP (the WAN), cache servers included.</param>
/// <param name="FromPeers">Downloaded from peers of every kind.</param>
public sealed record DeliveryOptimizationBytes(
    long FromHttp, long FromPeers, long FromLanPeers, long FromGroupPeers, long FromInternetPeers, long FromCacheServer,
    long ToLanPeers, long ToGroupPeers, long ToInternetPeers)
{
    /// <summary>Sent to peers of every kind.</summary>
    public long ToPeers => Counters.Add(Counters.Add(ToLanPeers, ToGroupPeers), ToInternetPeers);
}

/// <summary>One row of Delivery Optimization's who-served-whom: what <see cref="Hostname"/> sent to and received from
/// <see cref="PeerAddress"/> (<see cref="PeerHostname"/> when the address is a known endpoint's).</summary>
/// <param name="InRun">Whether the address is one of the run's members' addresses.</param>
public sealed record DeliveryOptimizationPeerRow(
    long EndpointId, string Hostname, string PeerAddress, long? PeerEndpointId, string? PeerHostname, long BytesSent, long BytesReceived, bool InRun);

/// <summary>Where a member's byte counts come from; every figure in a report says which.</summary>
public static class ByteSources
{
    /// <summary>Linux agents: nftables counters on the peering port.</summary>
    public const string FirewallCounters = "firewall counters";

    /// <summary>Windows agents: Delivery Optimization's own statistics.</summary>
    public const string DeliveryOptimization = "Delivery Optimization";

    /// <summary>A Windows member whose agent sent no Delivery Optimization statistics for the run (Windows Firewall
    /// keeps no per-address counters).</summary>
    public const string NotReported = "not reported";
}
