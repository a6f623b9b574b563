using Hangfire;
using Orchestrator.Data.Notifications;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Runs;

namespace Orchestrator.Server.Hooks;

/// <summary>Tells a window's post-close hook that a run closed; the outcome is recorded with the run, nothing else changes.</summary>
/// <remarks>
/// Called once per run where the server can know it was: a job that runs again for a run whose hook call is recorded
/// (handed out twice, or queued again by start-up recovery) calls nothing, and a second execution while this process
/// calls the run's hook returns at once. Only a server stopped during the call calls it again, since its outcome never
/// arrived.
/// </remarks>
internal sealed class PostCloseHookJob(
    IRunStore runs, IHookCallStore hookCalls, HookCaller caller, [FromKeyedServices(HookKinds.PostClose)] RunsInHand calling, ILogger<PostCloseHookJob> log)
{
    [JobDisplayName("Post-close hook \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 0)]
    [Queue(NotificationOptions.HookQueue)]
    public async Task CallAsync(long runId, string windowName)
    {
        if (await runs.GetAsync(runId) is not { } run || run.Definition.Hooks?.PostClose is not { } hook)
        {
            return;
        }

        if (!calling.TryTake(runId))
        {
            log.LogInformation("Run {RunId}: its post-close hook is being called already; this job leaves it to that one", runId);
            return;
        }

        try
        {
            if ((await hookCalls.ListForRunAsync(runId)).LastOrDefault(c => c.Kind == HookKinds.PostClose) is { } called)
            {
                log.LogInformation("Run {RunId}: its post-close hook was called at {At:u} ({Verdict}); not calling it again", runId, called.At, called.Verdict);
                return;
            }

            await caller.CallAsync(run, HookKinds.PostClose, hook);
        }
        finally
        {
            calling.Release(runId);
        }
    }
}
