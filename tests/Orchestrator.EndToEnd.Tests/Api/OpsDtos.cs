namespace Orchestrator.EndToEnd.Tests.Api;

// The ops API as a client sees it: only the fields these tests read, spelled as the JSON spells them. Deliberately
// not the server's own DTO types, so that a renamed field breaks this suite the way it would break a user's script.

public sealed record EnrollmentToken(long Id, string Name, string Token, DateTimeOffset ExpiresAt, bool SingleUse);

public sealed record AgentInfo(
    string AgentId, long EndpointId, string Hostname, DateTimeOffset? LastSeenAt, bool Online, string? AppliedVersion, string? ApplyError);

public sealed record WindowInfo(long Id, string Name);

public sealed record RunInfo(
    long Id,
    long WindowId,
    string State,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    string? CloseReason)
{
    public bool IsOpen => string.Equals(State, "Open", StringComparison.OrdinalIgnoreCase);
}

public sealed record RunDetail(RunInfo Run, IReadOnlyList<RunMember> Members, RunPeerSet? PeerSet);

/// <summary>The run's peer set, once per run: each member accepts these ranges without its own addresses.</summary>
public sealed record RunPeerSet(string Hash, long Addresses, IReadOnlyList<string> Ranges);

public sealed record RunMember(
    long EndpointId,
    string Hostname,
    IReadOnlyList<string> Addresses,
    DateTimeOffset? OpenAckedAt,
    DateTimeOffset? CloseAckedAt,
    string? CloseState);

public sealed record RunTraffic(IReadOnlyList<Transfer> Transfers, IReadOnlyList<BlockedAttempts> Blocked);

/// <summary>Bytes <see cref="ServingHostname"/> served to <see cref="ReceivingAddress"/> during the run, as the serving agent counted them.</summary>
public sealed record Transfer(
    long ServingEndpointId,
    string ServingHostname,
    string ServingAddress,
    long? ReceivingEndpointId,
    string? ReceivingHostname,
    string ReceivingAddress,
    long Bytes);

public sealed record BlockedAttempts(
    string SourceAddress, long? SourceEndpointId, string? SourceHostname, long TargetEndpointId, string TargetHostname, int Port, long Count);

/// <summary>The run report's endpoint rows: one per member, with the bytes its own agent counted.</summary>
public sealed record RunReportInfo(IReadOnlyList<ReportEndpoint> Endpoints);

public sealed record ReportEndpoint(long EndpointId, string Hostname, long BytesServed, long BytesReceived);
