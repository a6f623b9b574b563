namespace Orchestrator.Core.Reports;

public enum AgentStatus
{
    Online,
    Offline,
    NoAgent,
}

/// <summary>How a member's closing stands, from the server's view of what its agent confirmed.</summary>
public enum CloseStatus
{
    /// <summary>The run has not opened on this member (never opened, or still opening).</summary>
    NotOpened,

    /// <summary>The run is still open.</summary>
    Open,

    /// <summary>The run ended; the agent has not confirmed yet and the grace period is still running.</summary>
    AwaitingConfirmation,

    Confirmed,

    /// <summary>No confirmation came and the opening's expiry has passed: the endpoint's own firewall expiry closed the
    /// port, unobserved.</summary>
    ClosedByExpiryUnconfirmed,

    /// <summary>No confirmation came within the grace and the opening's expiry (the planned end the endpoint's firewall
    /// holds) is still ahead: the port may be open there until then. Critical.</summary>
    UnconfirmedMayBeOpen,

    /// <summary>The agent confirmed, but after the grace; <see cref="EndpointRow.CloseAckLatency"/> is the delay.</summary>
    ConfirmedLate,
}

public enum ScanStatus
{
    /// <summary>The window's scan policy is off.</summary>
    Disabled,
    NotDispatched,
    Running,
    Succeeded,
    Failed,
    TimedOut,

    /// <summary>No outcome long after the timeout: counted as failed, as the dispatcher counts it.</summary>
    Overdue,
}

/// <summary>One line of the per-endpoint table. <see cref="Problems"/> holds the anomaly codes that name this endpoint.</summary>
public sealed record EndpointRow(
    long EndpointId,
    string Hostname,
    string Address,
    AgentStatus Agent,
    DateTimeOffset? LastSeenAt,
    string? ApplyError,
    TimeSpan? OpenAckLatency,
    CloseStatus Close,
    TimeSpan? CloseAckLatency,
    ScanStatus Scan,
    long? ScanDurationMs,
    int? ScanExitCode,
    long BytesServed,
    long BytesReceived,
    long? BytesFromHttp,
    IReadOnlyList<string> Problems,
    string BytesSource = ByteSources.FirewallCounters)
{
    /// <summary>Bytes from peers over bytes from peers and HTTP; null without an HTTP figure or without bytes.</summary>
    public double? PeerShare => BytesFromHttp is { } http && (double)BytesReceived + http > 0 ? BytesReceived / ((double)BytesReceived + http) : null;

    public bool ScanFailed => Scan is ScanStatus.Failed or ScanStatus.TimedOut or ScanStatus.Overdue;
}
