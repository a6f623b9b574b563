using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Tests.Windows;

/// <summary>The lifecycle of a window's runs. (Core keeps it in Runs/; the test sits with windows until Runs/ has tests.)</summary>
public sealed class RunStatesTests
{
    private static readonly (RunState From, RunState To)[] Allowed =
    [
        (RunState.Opening, RunState.Open),
        (RunState.Opening, RunState.Closing),
        (RunState.Opening, RunState.Closed),
        (RunState.Opening, RunState.Missed),
        (RunState.Opening, RunState.Cancelled),
        (RunState.Open, RunState.Cutoff),
        (RunState.Open, RunState.Closing),
        (RunState.Open, RunState.Closed),
        (RunState.Cutoff, RunState.Closing),
        (RunState.Cutoff, RunState.Closed),
        (RunState.Closing, RunState.Closed),
    ];

    public static TheoryData<RunState, RunState, bool> EveryPair()
    {
        var data = new TheoryData<RunState, RunState, bool>();
        foreach (var from in Enum.GetValues<RunState>())
        {
            foreach (var to in Enum.GetValues<RunState>())
            {
                data.Add(from, to, Allowed.Contains((from, to)));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void ARunMovesOnlyAlongTheLifecycle(RunState from, RunState to, bool allowed)
    {
        Assert.Equal(allowed, RunStates.CanMove(from, to));
    }

    [Fact]
    public void FinalStatesAreTheOnesWithNoWayOut()
    {
        Assert.Equal(
            [RunState.Closed, RunState.Skipped, RunState.Missed, RunState.Cancelled],
            Enum.GetValues<RunState>().Where(RunStates.IsFinal));
        Assert.Equal(Enum.GetValues<RunState>().Where(s => !RunStates.IsFinal(s)), RunStates.NotFinal);
    }

    [Fact]
    public void EndpointsHoldTheOpeningInOpenAndCutoffOnly()
    {
        Assert.Equal([RunState.Open, RunState.Cutoff], Enum.GetValues<RunState>().Where(RunStates.IsOpen));
    }
}
