namespace Orchestrator.Agent.Enforcement;

/// <summary>One reading of the firewall's per-address counters. Keys are canonical address strings;
/// blocked attempts are per source and guarded port.</summary>
/// <param name="ServedBytes">Bytes this endpoint sent from a guarded port, per destination peer.</param>
/// <param name="ReceivedBytes">Bytes this endpoint received from a peer's guarded port, per source peer.</param>
/// <param name="BlockedPackets">Inbound packets to a guarded port that were dropped, per source and port.</param>
internal sealed record FirewallCounters(
    IReadOnlyDictionary<string, long> ServedBytes,
    IReadOnlyDictionary<string, long> ReceivedBytes,
    IReadOnlyDictionary<BlockedKey, long> BlockedPackets)
{
    public static FirewallCounters Empty { get; } = new(
        new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<BlockedKey, long>());
}

internal readonly record struct BlockedKey(string Source, int Port);
