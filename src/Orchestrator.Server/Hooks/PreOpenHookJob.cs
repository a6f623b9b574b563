using Hangfire;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Notifications;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Runs;

namespace Orchestrator.Server.Hooks;

/// <summary>
/// Opens a run whose window has a pre-open hook: asks the hook and opens on "go"; otherwise records the run Cancelled
/// by the hook (its answer in the hook call and the timeline) and alerts "run.notOpenedOnTime". It runs on the hooks
/// queue, so a hook that hangs for its whole timeout holds no worker that opens or closes other runs.
/// </summary>
/// <remarks>
/// The hook is asked once per run where the server can know it was: a job that runs again for a run whose hook answered
/// (the server stopped between the answer and its effect, or the job was handed out twice) acts on the recorded answer,
/// and a second execution while this process asks the run's hook returns at once. Only a server stopped while the hook
/// is asked asks it again, since the answer never arrived.
/// </remarks>
internal sealed class PreOpenHookJob(
    IRunStore runs, IHookCallStore hookCalls, HookCaller caller, [FromKeyedServices(HookKinds.PreOpen)] RunsInHand asking, RunJobs lifecycle,
    RunAlerts alerts, TimeProvider time, ILogger<PreOpenHookJob> log)
{
    [JobDisplayName("Pre-open hook \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 0)]
    [Queue(NotificationOptions.HookQueue)]
    public async Task OpenAsync(long runId, string windowName)
    {
        if (await runs.GetAsync(runId) is not { State: RunState.Opening } run || run.Definition.Hooks?.PreOpen is not { } hook)
        {
            return;
        }

        if (!asking.TryTake(runId))
        {
            log.LogInformation("Run {RunId}: its pre-open hook is being asked already; this job leaves it to that one", runId);
            return;
        }

        try
        {
            var call = await AnswerAsync(run, hook);
            if (call.Verdict == HookKinds.Go)
            {
                await lifecycle.OpenNowAsync(run, windowName);
                return;
            }

            if (await runs.TransitionAsync(runId, RunState.Cancelled, HookKinds.Actor, time.GetUtcNow()))
            {
                log.LogWarning("Run {RunId} of window \"{Window}\" not opened: its pre-open hook answered {Verdict}", runId, windowName, call.Verdict);
                await alerts.NotOpenedByHookAsync(run, call);
            }
        }
        finally
        {
            asking.Release(runId);
        }
    }

    /// <summary>The hook's recorded answer for the run, or, when it has none, the answer to asking it now.</summary>
    private async Task<HookCall> AnswerAsync(RunRecord run, Core.Windows.HookTarget hook)
    {
        if ((await hookCalls.ListForRunAsync(run.Id)).LastOrDefault(c => c.Kind == HookKinds.PreOpen) is { } answered)
        {
            log.LogWarning("Run {RunId}: its pre-open hook already answered {Verdict} at {At:u}; acting on that answer, not asking again", run.Id, answered.Verdict, answered.At);
            return answered;
        }

        return await caller.CallAsync(run, HookKinds.PreOpen, hook);
    }
}
