using Orchestrator.Data.Runs;
using Quartz;

namespace Orchestrator.Server.Scheduling;

/// <summary>
/// The persistent one-shot triggers of a run: its cutoff and its end. They live in Quartz's store, so a run's
/// end fires after a restart; a missed end fires at once (misfire: fire now).
/// </summary>
internal sealed class RunTriggers(ISchedulerFactory schedulers)
{
    public static TriggerKey EndKey(long runId) => new($"run-{runId}-end", "runs");

    public static TriggerKey CutoffKey(long runId) => new($"run-{runId}-cutoff", "runs");

    /// <summary>Idempotent: a trigger already pending is kept.</summary>
    public async Task EnsureAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.ScheduleTrigger(Build(EndKey(run.Id), RunEndJob.Key, run, run.PlannedEnd, "end"), TriggerConflict.Keep, cancellationToken);
        if (run.CutoffAt < run.PlannedEnd)
        {
            await scheduler.ScheduleTrigger(Build(CutoffKey(run.Id), RunCutoffJob.Key, run, run.CutoffAt, "cutoff"), TriggerConflict.Keep, cancellationToken);
        }
    }

    public async Task RemoveAsync(long runId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.UnscheduleJobs([EndKey(runId), CutoffKey(runId)], cancellationToken);
    }

    public async Task<bool> HasEndAsync(long runId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return await scheduler.Exists(EndKey(runId), cancellationToken);
    }

    private static ITrigger Build(TriggerKey key, JobKey job, RunRecord run, DateTimeOffset at, string what) =>
        TriggerBuilder.Create()
            .WithIdentity(key)
            .ForJob(job)
            .WithDescription($"{run.WindowName} · run {run.Id} {what}")
            .UsingJobData(RunEndJob.RunId, JobData.Of(run.Id))
            .UsingJobData(RunEndJob.WindowName, run.WindowName)
            .StartAt(at)
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
}
