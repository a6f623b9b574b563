namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>
/// Where this endpoint's update content came from and went to, as Delivery Optimization counts it: bytes from HTTP
/// versus peers (totals over the files in its cache) and bytes per peer address (from its connection log). These
/// are absolute readings; <see cref="Since"/> turns two of them into what happened in between.
/// </summary>
internal sealed record DeliveryOptimizationStatistics(ContentSources Sources, IReadOnlyDictionary<string, PeerBytes> Peers)
{
    public static DeliveryOptimizationStatistics Empty { get; } = new(ContentSources.Zero, new Dictionary<string, PeerBytes>());

    public static DeliveryOptimizationStatistics From(IReadOnlyList<CachedFileStatus> files, IReadOnlyList<PeerConnection> connections) =>
        new(ContentSources.Sum(files), connections
            .GroupBy(c => c.Peer, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new PeerBytes(g.Sum(c => c.BytesSent), g.Sum(c => c.BytesReceived)), StringComparer.Ordinal));

    /// <summary>What changed since <paramref name="previous"/>. A counter that went backwards (file evicted from
    /// the cache, log rotated) counts from zero, like the Linux counter deltas.</summary>
    public DeliveryOptimizationStatistics Since(DeliveryOptimizationStatistics previous) =>
        new(Sources.Minus(previous.Sources), Peers
            .Select(p => (p.Key, Bytes: p.Value.Minus(previous.Peers.GetValueOrDefault(p.Key) ?? PeerBytes.Zero)))
            .Where(p => p.Bytes != PeerBytes.Zero)
            .ToDictionary(p => p.Key, p => p.Bytes, StringComparer.Ordinal));
}

/// <summary>Bytes by source, summed over the files Delivery Optimization knows. <see cref="FromPeers"/> is
/// Microsoft's BytesFromPeers (LAN + Group + Internet peers); <see cref="FromHttp"/> includes cache servers.</summary>
internal sealed record ContentSources(
    long FromHttp, long FromPeers, long FromLanPeers, long FromGroupPeers, long FromInternetPeers, long FromCacheServer,
    long ToLanPeers, long ToGroupPeers, long ToInternetPeers)
{
    public static ContentSources Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static ContentSources Sum(IEnumerable<CachedFileStatus> files) => files.Aggregate(Zero, (sum, f) => new ContentSources(
        sum.FromHttp + f.BytesFromHttp, sum.FromPeers + f.BytesFromPeers, sum.FromLanPeers + f.BytesFromLanPeers,
        sum.FromGroupPeers + f.BytesFromGroupPeers, sum.FromInternetPeers + f.BytesFromInternetPeers,
        sum.FromCacheServer + f.BytesFromCacheServer, sum.ToLanPeers + f.BytesToLanPeers, sum.ToGroupPeers + f.BytesToGroupPeers,
        sum.ToInternetPeers + f.BytesToInternetPeers));

    public ContentSources Plus(ContentSources other) => new(
        FromHttp + other.FromHttp, FromPeers + other.FromPeers, FromLanPeers + other.FromLanPeers, FromGroupPeers + other.FromGroupPeers,
        FromInternetPeers + other.FromInternetPeers, FromCacheServer + other.FromCacheServer, ToLanPeers + other.ToLanPeers,
        ToGroupPeers + other.ToGroupPeers, ToInternetPeers + other.ToInternetPeers);

    public ContentSources Minus(ContentSources before) => new(
        Delta(FromHttp, before.FromHttp), Delta(FromPeers, before.FromPeers), Delta(FromLanPeers, before.FromLanPeers),
        Delta(FromGroupPeers, before.FromGroupPeers), Delta(FromInternetPeers, before.FromInternetPeers),
        Delta(FromCacheServer, before.FromCacheServer), Delta(ToLanPeers, before.ToLanPeers),
        Delta(ToGroupPeers, before.ToGroupPeers), Delta(ToInternetPeers, before.ToInternetPeers));

    private static long Delta(long now, long before) => now >= before ? now - before : now;
}

/// <summary>Bytes this endpoint sent to (<see cref="Sent"/>) and received from (<see cref="Received"/>) one peer.</summary>
internal sealed record PeerBytes(long Sent, long Received)
{
    public static PeerBytes Zero { get; } = new(0, 0);

    public PeerBytes Minus(PeerBytes before) => new(
        Sent >= before.Sent ? Sent - before.Sent : Sent,
        Received >= before.Received ? Received - before.Received : Received);
}

/// <summary>One row of <c>Get-DeliveryOptimizationStatus</c>.</summary>
internal sealed record CachedFileStatus(
    string FileId, string? Status, long TotalBytesDownloaded, long BytesFromPeers, long BytesFromHttp, long BytesFromCacheServer,
    long BytesFromLanPeers, long BytesFromGroupPeers, long BytesFromInternetPeers,
    long BytesToLanPeers, long BytesToGroupPeers, long BytesToInternetPeers);

/// <summary>One connection from <c>Get-DeliveryOptimizationLogAnalysis -ListConnections</c>.</summary>
internal sealed record PeerConnection(string Peer, string? PeerType, string? StatusCode, long BytesSent, long BytesReceived, string? FileId);
