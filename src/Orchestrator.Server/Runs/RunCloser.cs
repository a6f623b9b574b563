using Hangfire;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Agents;

namespace Orchestrator.Server.Runs;

/// <summary>An operator's close-now of one run (the close route, and a window deleted with <c>closeRuns=true</c>).</summary>
internal sealed class RunCloser(IRunStore runs, IBackgroundJobClient jobs, DesiredStateNotifier notifier, TimeProvider time)
{
    /// <summary>Runs of a window that hold, or are about to hold, its members: what a close-now closes.</summary>
    public async Task<IReadOnlyList<RunRecord>> OpenRunsOfAsync(long windowId, CancellationToken ct) =>
        (await runs.ListAsync(new RunQuery(windowId, Limit: 1_000), ct))
            .Where(r => r.State is RunState.Opening or RunState.Open or RunState.Cutoff)
            .OrderBy(r => r.Id)
            .ToList();

    /// <summary>Moves the run to Closing (Cancelled when it has not opened), tells its agents and queues the close
    /// job. Null when the run is not Opening, Open or Cutoff: nothing changed.</summary>
    public async Task<RunRecord?> CloseNowAsync(RunRecord run, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);

        // The run may move (Opening → Open) between the read and the change: read again and retry, so that a close
        // racing the opening still closes (regression: it answered 409 "run is Opening").
        var moved = false;
        for (var attempt = 0; attempt < 3 && !moved; attempt++)
        {
            if (attempt > 0 && await runs.GetAsync(run.Id, ct) is { } fresh)
            {
                run = fresh;
            }

            moved = run.State == RunState.Opening
                ? await runs.TransitionAsync(run.Id, RunState.Cancelled, actor, time.GetUtcNow(), CloseReason.ClosedByOperator, ct)
                : await runs.TransitionAsync(run.Id, RunState.Closing, actor, time.GetUtcNow(), CloseReason.ClosedByOperator, ct);
        }

        if (!moved)
        {
            return null;
        }

        var id = run.Id;
        var windowName = run.WindowName;
        await notifier.NotifyAsync((await runs.GetMembersAsync(id, ct)).Select(m => m.EndpointId));
        jobs.Enqueue<RunJobs>(j => j.CloseAsync(id, windowName));
        return await runs.GetAsync(id, ct);
    }
}
