namespace Orchestrator.Data.Traffic;

/// <summary>
/// One validated agent report, ready to store, with what it tells about the agent: the state it applied
/// (<see cref="Applied"/>, null when already recorded) and the runs whose state it holds (<see cref="Acknowledge"/>,
/// null when it acknowledges nothing new).
/// </summary>
public sealed record AgentReport(
    string AgentId,
    long EndpointId,
    string ReportId,
    IReadOnlyList<PeerBytes> Traffic,
    IReadOnlyList<BlockedCount> Blocked,
    IReadOnlyList<ScanResult> Scans,
    AppliedState? Applied = null,
    IReadOnlyCollection<long>? Acknowledge = null);

/// <summary>The desired-state version the agent applied (or kept, when null), or why it could not.</summary>
public sealed record AppliedState(long? Version, string? Error);

public sealed record PeerBytes(string Peer, long Served, long Received);

public sealed record BlockedCount(string Source, int Port, long Count);

public sealed record ScanResult(string ScanId, string Outcome, int? ExitCode, long DurationMs);

/// <summary>Who served whom during a run: bytes the serving endpoint's agent counted on its output.</summary>
public sealed record Transfer(
    long ServingEndpointId, string ServingHostname, string ServingAddress,
    long? ReceivingEndpointId, string? ReceivingHostname, string ReceivingAddress, long Bytes);

public sealed record Blocked(
    string SourceAddress, long? SourceEndpointId, string? SourceHostname, long TargetEndpointId, string TargetHostname, long Port, long Count);

public sealed record RunTraffic(IReadOnlyList<Transfer> Transfers, IReadOnlyList<Blocked> Blocked);
