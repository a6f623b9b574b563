namespace Orchestrator.Core.Runs;

/// <summary>
/// Opening → Open → Cutoff → Closing → Closed; or Skipped (blackout), Missed (the whole window passed
/// while nothing could open it), Cancelled (closed before it opened).
/// </summary>
public enum RunState
{
    Opening,
    Open,
    Cutoff,
    Closing,
    Closed,
    Skipped,
    Missed,
    Cancelled,
}
