using System.Text.Json.Serialization;

namespace Orchestrator.Protocol;

/// <summary>
/// One batch from an agent. Counters are deltas since the previous accepted report; the server ignores a
/// <see cref="ReportId"/> it has already stored, so retries never double-count. <see cref="Repairs"/> was added later in
/// v1 and is optional: an older agent omits it, an older server ignores it. <see cref="DeliveryOptimization"/> (Windows
/// agents only) was added after it, on the same terms.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record AgentReportV1(
    string ReportId,
    long? AppliedVersion,
    string? ApplyError,
    IReadOnlyList<ScanOutcomeV1> Scans,
    IReadOnlyList<PeerTrafficV1> Traffic,
    IReadOnlyList<BlockedAttemptV1> Blocked,
    // Left out when null, so a report without repairs is byte-for-byte what v1 agents always sent.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FirewallRepairV1>? Repairs = null,
    // Left out when null, so a Linux agent's report and an older agent's report are unchanged on the wire.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeliveryOptimizationStatsV1? DeliveryOptimization = null);

/// <summary>The agent found its firewall rules removed or altered by someone else (<see cref="Finding"/>, e.g. after
/// <c>nft flush ruleset</c>) and re-installed the closed state with <see cref="OpeningsRestored"/> openings at their
/// remaining time. Reported once, in the first report after the repair.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record FirewallRepairV1(string Finding, int OpeningsRestored);

/// <summary>Outcome: one of <see cref="ScanOutcomeNameV1"/>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record ScanOutcomeV1(string ScanId, string Outcome, int? ExitCode, long DurationMs);

/// <summary>Bytes this endpoint served to (<see cref="BytesServed"/>) and received from
/// (<see cref="BytesReceived"/>) <see cref="Peer"/> on the peering port since the last report.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record PeerTrafficV1(string Peer, long BytesServed, long BytesReceived);

/// <summary>Inbound attempts on the peering port from <see cref="Source"/> that the firewall dropped.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record BlockedAttemptV1(string Source, int Port, long Count);
