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

/// <summary>A frozen member with its addresses, and what its agent confirmed. It accepts the peering port from the run's
/// peer set (<see cref="IRunStore.GetPeerSetAsync"/>) without its own addresses.</summary>
public sealed record RunMemberRecord(
    long RunId,
    long EndpointId,
    string Hostname,
    IReadOnlyList<string> Addresses,
    DateTimeOffset? OpenAckedAt = null,
    DateTimeOffset? CloseAckedAt = null,
    MemberCloseState? CloseState = null);

/// <summary>How a member's closing is known, settled a grace period after the close (the earlier of the server's close
/// and the planned end), and updated when a confirmation comes later.</summary>
public enum MemberCloseState
{
    /// <summary>The agent applied a state without the run's opening within the grace.</summary>
    Confirmed,

    /// <summary>No acknowledgement within the grace, and the opening's expiry (the planned end handed to the endpoint's
    /// firewall) had passed: the firewall removed the peers on its own timeout, but nobody saw it.</summary>
    ClosedByExpiryUnconfirmed,

    /// <summary>No acknowledgement within the grace while the opening's expiry was still ahead (a close-now): the port
    /// may stay open on that endpoint until the planned end.</summary>
    Unconfirmed,

    /// <summary>The agent confirmed after the grace; the delay is its close acknowledgement's latency.</summary>
    ConfirmedLate,
}

/// <summary>What settling a run's close states found.</summary>
/// <param name="Unconfirmed">Members without a confirmation whose opening's expiry had passed.</param>
/// <param name="OpenUntilExpiry">Members without a confirmation whose opening's expiry was still ahead.</param>
public sealed record CloseSettlement(int Confirmed, int Unconfirmed, int OpenUntilExpiry);

/// <summary>A run open for an endpoint right now, with that endpoint's membership.</summary>
public sealed record OpenRun(RunRecord Run, RunMemberRecord Member);
