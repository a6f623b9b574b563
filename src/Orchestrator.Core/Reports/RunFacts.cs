using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Reports;

/// <summary>What is known about one run when its report is built: the run row, its frozen members with what their
/// agents confirmed and reported, blocked attempts and the run's audit entries. Pure data; the server reads it.</summary>
public sealed record RunFacts(
    long RunId,
    long WindowId,
    string WindowName,
    string Kind,
    RunState State,
    IReadOnlyList<string> Groups,
    IReadOnlyList<string> Ports,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    DateTimeOffset CutoffAt,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    CloseReason? CloseReason,
    bool ScansEnabled,
    int? MaxErrors,
    IReadOnlyList<MemberFacts> Members,
    IReadOnlyList<BlockedFacts> Blocked,
    IReadOnlyList<AuditFact> Audit,
    IReadOnlyList<DeliveryOptimizationPeerRow>? DeliveryOptimizationPeers = null);

/// <summary>One frozen member of a run.</summary>
/// <param name="BytesFromHttp">Bytes the endpoint downloaded over HTTP (the WAN) during the run: Delivery Optimization's
/// figure on Windows members that reported statistics; null otherwise.</param>
/// <param name="DeliveryOptimization">Delivery Optimization's figures for the run, when the member's agent reported them.</param>
/// <param name="Windows">The endpoint enrolled as Windows (its bytes can only come from Delivery Optimization).</param>
public sealed record MemberFacts(
    long EndpointId,
    string Hostname,
    IReadOnlyList<string> Addresses,
    DateTimeOffset? OpenAckedAt,
    DateTimeOffset? CloseAckedAt,
    MemberClose? CloseState,
    AgentFacts? Agent,
    ScanFacts? Scan,
    long BytesServed,
    long BytesReceived,
    long? BytesFromHttp = null,
    DeliveryOptimizationBytes? DeliveryOptimization = null,
    bool Windows = false)
{
    /// <summary>Where <see cref="BytesServed"/>, <see cref="BytesReceived"/> and <see cref="BytesFromHttp"/> come from.</summary>
    public string BytesSource => DeliveryOptimization is not null ? ByteSources.DeliveryOptimization
        : Windows ? ByteSources.NotReported
        : ByteSources.FirewallCounters;
}

/// <summary>Mirrors the stored member close state (settled a grace period after the close).</summary>
public enum MemberClose
{
    Confirmed,
    ClosedByExpiryUnconfirmed,

    /// <summary>No confirmation within the grace while the opening's expiry was still ahead.</summary>
    Unconfirmed,

    /// <summary>Confirmed after the grace.</summary>
    ConfirmedLate,
}

/// <summary>The endpoint's current (not revoked) agent.</summary>
public sealed record AgentFacts(DateTimeOffset? LastSeenAt, string? ApplyError);

/// <summary>The member's scan in this run. <see cref="Outcome"/> is null until the agent reports it.</summary>
public sealed record ScanFacts(DateTimeOffset DispatchedAt, int TimeoutSeconds, string? Outcome, int? ExitCode, long? DurationMs);

/// <summary>Attempts from <see cref="SourceAddress"/> that <see cref="TargetHostname"/>'s firewall dropped on <see cref="Port"/>.</summary>
public sealed record BlockedFacts(
    string SourceAddress, long? SourceEndpointId, string? SourceHostname, long TargetEndpointId, string TargetHostname, long Port, long Count);

/// <summary>An audit log entry about the run (its transitions, scan dispatch stopping, ...).</summary>
public sealed record AuditFact(DateTimeOffset At, string Actor, string Action, string? Detail);
