using Hangfire;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Runs;

namespace Orchestrator.Server.Scheduling;

/// <summary>
/// At start-up, makes sure every unfinished run has its end trigger and every enabled window its next
/// occurrence. Quartz's store normally still holds them; this covers a lost or replaced Quartz database. A
/// trigger in the past fires at once, which is how an end passed during downtime closes straight away.
/// A run still Opening has its opening queued again: the starter queues it while it opens the run at once
/// (<see cref="RunStarter"/>), so a crash in between can leave a run with neither. The job changes nothing for a run
/// that is no longer Opening; a run whose end has passed is recorded as missed by it.
/// </summary>
internal sealed class StartupReconciler(
    IRunStore runs, IWindowStore windows, RunTriggers runTriggers, WindowScheduler windowScheduler, IBackgroundJobClient jobs, TimeProvider time,
    ILogger<StartupReconciler> log)
{
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var restored = 0;
        foreach (var run in await runs.ListNotFinalAsync(cancellationToken))
        {
            if (!await runTriggers.HasEndAsync(run.Id, cancellationToken))
            {
                await runTriggers.EnsureAsync(run, cancellationToken);
                restored++;
            }

            // A run with a pre-open hook is opened by its hook job, which RunJobRecovery checks once Hangfire runs.
            if (run.State == RunState.Opening && run.Definition.Hooks?.PreOpen is null)
            {
                jobs.Enqueue<RunJobs>(j => j.OpenAsync(run.Id, run.WindowName));
                log.LogInformation("Run {RunId} of window \"{Window}\" was still opening at start-up: its opening is queued again", run.Id, run.WindowName);
            }
        }

        var now = time.GetUtcNow();
        foreach (var window in await windows.ListAsync(cancellationToken))
        {
            if (window.Definition.Enabled && !await windowScheduler.IsScheduledAsync(window.Id, cancellationToken))
            {
                // From one duration back: an occurrence still running opens for its remainder.
                await windowScheduler.ScheduleNextAsync(window, now - window.Definition.Schedule.Duration, cancellationToken);
                restored++;
            }
        }

        if (restored > 0)
        {
            log.LogWarning("Restored {Count} missing Quartz triggers at start-up", restored);
        }
    }
}
