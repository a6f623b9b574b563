using Hangfire;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Runs;

namespace Orchestrator.Server.Hooks;

/// <summary>
/// Opens a run whose window has a pre-open hook: asks the hook and opens on "go"; otherwise records the run Cancelled
/// by the hook (its answer in the hook call and the timeline) and alerts "run.notOpenedOnTime". It runs on the hooks
/// queue, so a hook that hangs for its whole timeout holds no worker that opens or closes other runs.
/// </summary>
internal sealed class PreOpenHookJob(IRunStore runs, HookCaller caller, RunJobs lifecycle, RunAlerts alerts, TimeProvider time, ILogger<PreOpenHookJob> log)
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

        var call = await caller.CallAsync(run, HookKinds.PreOpen, hook);
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
}
