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

/// <summary>A frozen member with the addresses it accepts the peering port from.</summary>
public sealed record RunMemberRecord(long RunId, long EndpointId, string Hostname, IReadOnlyList<string> Addresses, IReadOnlyList<string> AllowedPeers);
