using Hangfire;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Api;
using Orchestrator.Server.Scheduling;

namespace Orchestrator.Server.Runs;

/// <summary>Creates a run (scheduled or ad hoc) with its end triggers and queues its opening. Safe to repeat.</summary>
internal sealed class RunStarter(IRunStore runs, RunTriggers triggers, IBackgroundJobClient jobs, TimeProvider time)
{
    public async Task<RunRecord> StartAsync(
        WindowRecord window, RunKind kind, string occurrenceKey, DateTimeOffset start, DateTimeOffset end, RunState state,
        CancellationToken cancellationToken, string actor = Actor.Scheduler)
    {
        ArgumentNullException.ThrowIfNull(window);
        var cutoff = end - window.Definition.Schedule.Cutoff;
        var (run, _) = await runs.CreateAsync(
            new NewRun(window.Id, window.Definition.Name, occurrenceKey, kind, state, start, end, cutoff < start ? start : cutoff, window.Definition),
            actor,
            time.GetUtcNow(),
            cancellationToken);

        // Whether this call created the run or a repeated fire found it, an Opening run must have its end and
        // its opening queued: the previous attempt may have died between the insert and the enqueue.
        if (run.State == RunState.Opening)
        {
            await triggers.EnsureAsync(run, cancellationToken);
            jobs.Enqueue<RunJobs>(j => j.OpenAsync(run.Id, run.WindowName));
        }

        return run;
    }
}
