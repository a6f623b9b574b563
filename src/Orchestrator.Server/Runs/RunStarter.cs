using Hangfire;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hooks;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Scheduling;

namespace Orchestrator.Server.Runs;

/// <summary>Creates a run (scheduled or ad hoc), queues its opening, opens it and schedules its end. Safe to repeat.</summary>
/// <remarks>
/// The opening is queued (the durable path: it survives a crash and retries) and run here at once, side by side, so a
/// window opens at its start and not when a Hangfire worker next polls: with 100 windows starting together the
/// queued openings picked up over 1.6–12 s. The queued job then finds the run open and changes nothing; both may run
/// at the same time, and only one moves the run (see <see cref="RunJobs"/>).
/// </remarks>
internal sealed class RunStarter(
    IRunStore runs, RunTriggers triggers, IBackgroundJobClient jobs, RunJobs lifecycle, RunAlerts alerts, TimeProvider time, ILogger<RunStarter> log)
{
    public async Task<RunRecord> StartAsync(
        WindowRecord window, RunKind kind, string occurrenceKey, DateTimeOffset start, DateTimeOffset end, RunState state,
        CancellationToken cancellationToken, string actor = Actor.Scheduler, TimeSpan? cutoffBeforeEnd = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        var cutoff = end - (cutoffBeforeEnd ?? window.Definition.Schedule.Cutoff);
        var (run, _) = await runs.CreateAsync(
            new NewRun(window.Id, window.Definition.Name, occurrenceKey, kind, state, start, end, cutoff < start ? start : cutoff, window.Definition),
            actor,
            time.GetUtcNow(),
            cancellationToken);

        // Also when a repeated fire found the run: the fire that created it may have died before the alert was recorded, and
        // an alert that was recorded is not sent twice (RunAlerts).
        if (run.State == RunState.Missed)
        {
            await alerts.MissedAsync(run);
        }

        if (state == RunState.Opening && run.State == RunState.Skipped)
        {
            log.LogWarning("Run {RunId} of window \"{Window}\" skipped: the window's previous run is still open (a window never overlaps itself)", run.Id, run.WindowName);
        }

        // Whether this call created the run or a repeated fire found it, an Opening run must have its opening queued
        // and its end scheduled: the previous attempt may have died between the insert and the enqueue. The queued job
        // also schedules the end and cutoff, so a crash before the scheduling below loses neither.
        if (run.State == RunState.Opening && run.Definition.Hooks?.PreOpen is not null)
        {
            // The hook may take its whole timeout: the opening waits on the hooks queue, not here (a Quartz thread).
            jobs.Enqueue<PreOpenHookJob>(NotificationOptions.HookQueue, j => j.OpenAsync(run.Id, run.WindowName));
            await triggers.EnsureAsync(run, cancellationToken);
        }
        else if (run.State == RunState.Opening)
        {
            // Queued while the opening runs, not before it: the first enqueue after a start took 60 ms of a 10,000-member
            // opening's critical path (Hangfire's client compiling), on a core the opening leaves idle until it wakes the agents.
            var (runId, windowName) = (run.Id, run.WindowName);
            var queued = Task.Run(() => jobs.Enqueue<RunJobs>(j => j.OpenAsync(runId, windowName)), CancellationToken.None);
            try
            {
                await lifecycle.OpenNowAsync(run, run.WindowName);
                run = await runs.GetAsync(run.Id, CancellationToken.None) ?? run;
            }
            catch (Exception ex)
            {
                // Catch-all on purpose: the queued job opens the run (with its retries) whatever failed here.
                log.LogWarning(ex, "Run {RunId}: opening at once failed; the queued job opens it", run.Id);
            }

            try
            {
                await queued;
            }
            catch (Exception ex) when (run.State != RunState.Opening)
            {
                // The run has moved on (opened, missed): the queued job would have found nothing left to do.
                log.LogWarning(ex, "Run {RunId}: queueing its opening job failed after the run was opened", run.Id);
            }

            // After the opening: the triggers matter only at the cutoff and the end, and Quartz's store is shared by
            // every run starting at the same time.
            await triggers.EnsureAsync(run, cancellationToken);
        }

        return run;
    }
}
