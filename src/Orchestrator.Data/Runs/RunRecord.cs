using Orchestrator.Core.Runs;
using Orchestrator.Core.Windows;

namespace Orchestrator.Data.Runs;

public enum RunKind
{
    Scheduled,
    AdHoc,
}

/// <summary>A run of a window. <see cref="Definition"/> is the window as it was when the run was created.</summary>
public sealed record RunRecord(
    long Id,
    long WindowId,
    string WindowName,
    string OccurrenceKey,
    RunKind Kind,
    RunState State,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    DateTimeOffset CutoffAt,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    CloseReason? CloseReason,
    WindowDefinition Definition,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record NewRun(
    long WindowId,
    string WindowName,
    string OccurrenceKey,
    RunKind Kind,
    RunState State,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    DateTimeOffset CutoffAt,
    WindowDefinition Definition);

public sealed record RunQuery(long? WindowId = null, RunState? State = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 100);

/// <summary>A frozen member with the addresses it accepts the peering port from, and what its agent confirmed.</summary>
public sealed record RunMemberRecord(
    long RunId,
    long EndpointId,
    string Hostname,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> AllowedPeers,
    DateTimeOffset? OpenAckedAt = null,
    DateTimeOffset? CloseAckedAt = null,
    MemberCloseState? CloseState = null);

/// <summary>How a member's closing is known, decided a grace period after the run's end.</summary>
public enum MemberCloseState
{
    /// <summary>The agent applied a state without the run's opening.</summary>
    Confirmed,

    /// <summary>No acknowledgement came: the endpoint's firewall removed the peers when their timeout ran out, but
    /// nobody saw it.</summary>
    ClosedByExpiryUnconfirmed,
}

/// <summary>A run open for an endpoint right now, with that endpoint's allow-list.</summary>
public sealed record OpenRun(RunRecord Run, RunMemberRecord Member);
