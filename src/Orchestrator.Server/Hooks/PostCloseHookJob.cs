using Hangfire;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Notifications;

namespace Orchestrator.Server.Hooks;

/// <summary>Tells a window's post-close hook that a run closed; the outcome is recorded with the run, nothing else changes.</summary>
internal sealed class PostCloseHookJob(IRunStore runs, HookCaller caller)
{
    [JobDisplayName("Post-close hook \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 0)]
    [Queue(NotificationOptions.HookQueue)]
    public async Task CallAsync(long runId, string windowName)
    {
        if (await runs.GetAsync(runId) is { } run && run.Definition.Hooks?.PostClose is { } hook)
        {
            await caller.CallAsync(run, HookKinds.PostClose, hook);
        }
    }
}
