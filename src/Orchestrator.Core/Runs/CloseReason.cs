namespace Orchestrator.Core.Runs;

public enum CloseReason
{
    /// <summary>Closed at its planned end.</summary>
    Ended,

    /// <summary>The end passed while the server was down; closed as soon as it came back.</summary>
    EndedDuringDowntime,

    /// <summary>An operator closed it early.</summary>
    ClosedByOperator,
}
