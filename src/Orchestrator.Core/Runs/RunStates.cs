namespace Orchestrator.Core.Runs;

public static class RunStates
{
    private static readonly Dictionary<RunState, RunState[]> Allowed = new()
    {
        [RunState.Opening] = [RunState.Open, RunState.Closing, RunState.Closed, RunState.Missed, RunState.Cancelled],
        [RunState.Open] = [RunState.Cutoff, RunState.Closing, RunState.Closed],
        [RunState.Cutoff] = [RunState.Closing, RunState.Closed],
        [RunState.Closing] = [RunState.Closed],
        [RunState.Closed] = [],
        [RunState.Skipped] = [],
        [RunState.Missed] = [],
        [RunState.Cancelled] = [],
    };

    public static bool CanMove(RunState from, RunState to) => Allowed[from].Contains(to);

    /// <summary>States in which endpoints hold the opening.</summary>
    public static bool IsOpen(RunState state) => state is RunState.Open or RunState.Cutoff;

    public static bool IsFinal(RunState state) => Allowed[state].Length == 0;

    /// <summary>States whose runs still need a close.</summary>
    public static IReadOnlyList<RunState> NotFinal { get; } = [RunState.Opening, RunState.Open, RunState.Cutoff, RunState.Closing];
}
