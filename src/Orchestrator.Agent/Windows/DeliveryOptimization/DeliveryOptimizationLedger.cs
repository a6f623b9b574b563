namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>
/// Turns Delivery Optimization's snapshots into deltas without counting anything twice (the rule is in
/// docs/decisions.md, "Delivery Optimization deltas"):
/// <list type="bullet">
/// <item>By source: <c>Get-DeliveryOptimizationStatus</c> lists the jobs it currently knows, and files leave its cache
/// after about 3 days, so totals can fall while others grow. Deltas are taken per file id against the last reading of
/// that file; a file seen for the first time counts whole (it started since the last sample), a file that is gone is
/// forgotten (what it moved was counted while it was seen), a file whose counters fell restarted and counts from zero.</item>
/// <item>Per peer: the live sample (<c>-PeerInfo</c>) and the log (<c>-ListConnections</c>) describe the same transfers.
/// Both are read as cumulative bytes per (peer, file id); the ledger keeps the highest figure counted per key and
/// reports only what exceeds it, whichever source saw it first. A key that leaves the log (rotation) stays counted.</item>
/// <item>The first reading of a run is its baseline: everything in it happened before and counts nothing.</item>
/// </list>
/// Not thread-safe: one sampler owns it.
/// </summary>
internal sealed class DeliveryOptimizationLedger
{
    private readonly Dictionary<string, CachedFileStatus> files = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Peer, string File), PeerBytes> counted = [];

    /// <summary>Records what existed before the run opened; nothing of it is ever reported.</summary>
    public void Baseline(IReadOnlyList<CachedFileStatus> status, IReadOnlyList<PeerConnection> connections)
    {
        _ = ObserveFiles(status);
        _ = ObservePeers(connections);
    }

    /// <summary>Bytes by source since the previous reading, per file then summed.</summary>
    public ContentSources ObserveFiles(IReadOnlyList<CachedFileStatus> status)
    {
        var delta = ContentSources.Zero;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in status.Where(f => f.FileId.Length > 0).GroupBy(f => f.FileId, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()))
        {
            seen.Add(file.FileId);
            var now = ContentSources.Sum([file]);
            var before = files.TryGetValue(file.FileId, out var last) ? ContentSources.Sum([last]) : ContentSources.Zero;
            delta = delta.Plus(now.Minus(before));
            files[file.FileId] = file;
        }

        foreach (var gone in files.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            files.Remove(gone);
        }

        return delta;
    }

    /// <summary>Bytes per peer beyond what was already counted for each (peer, file id), from either source.</summary>
    public IReadOnlyDictionary<string, PeerBytes> ObservePeers(IReadOnlyList<PeerConnection> connections)
    {
        var delta = new Dictionary<string, PeerBytes>(StringComparer.Ordinal);
        // One source may list several connections of a key (the log: one row per connection): their sum is the key's figure.
        foreach (var key in connections.GroupBy(c => (c.Peer, File: c.FileId ?? "")))
        {
            var observed = new PeerBytes(key.Sum(c => c.BytesSent), key.Sum(c => c.BytesReceived));
            var before = counted.GetValueOrDefault(key.Key) ?? PeerBytes.Zero;
            var high = new PeerBytes(Math.Max(before.Sent, observed.Sent), Math.Max(before.Received, observed.Received));
            var added = new PeerBytes(high.Sent - before.Sent, high.Received - before.Received);
            counted[key.Key] = high;
            if (added != PeerBytes.Zero)
            {
                var sum = delta.GetValueOrDefault(key.Key.Peer) ?? PeerBytes.Zero;
                delta[key.Key.Peer] = new PeerBytes(sum.Sent + added.Sent, sum.Received + added.Received);
            }
        }

        return delta;
    }
}
