using Orchestrator.Core.Schedules;
using Orchestrator.Data.Windows;
using Quartz;

namespace Orchestrator.Server.Scheduling;

/// <summary>
/// Keeps exactly one persistent Quartz trigger per enabled window, at its next occurrence. Core computes the
/// occurrence (offsets, DST, blackouts); Quartz holds the instant durably and fires it, late if it must.
/// </summary>
internal sealed class WindowScheduler(ISchedulerFactory schedulers)
{
    public static TriggerKey KeyFor(long windowId) => new($"window-{windowId}", "occurrences");

    /// <summary>Schedules the first occurrence starting at or after <paramref name="fromUtc"/>, replacing any pending one.</summary>
    public async Task ScheduleNextAsync(WindowRecord window, DateTimeOffset fromUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        var next = window.Definition.Enabled ? OccurrenceCalculator.From(window.Definition.Schedule, fromUtc).FirstOrDefault() : null;
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (next is null)
        {
            await scheduler.UnscheduleJob(KeyFor(window.Id), cancellationToken);
            return;
        }

        var trigger = TriggerBuilder.Create()
            .WithIdentity(KeyFor(window.Id))
            .ForJob(OccurrenceJob.Key)
            .WithDescription($"{window.Definition.Name} · {next.Key}")
            .UsingJobData(OccurrenceJob.WindowId, JobData.Of(window.Id))
            .UsingJobData(OccurrenceJob.Revision, JobData.Of(window.Revision))
            .UsingJobData(OccurrenceJob.OccurrenceKey, next.Key)
            .UsingJobData(OccurrenceJob.StartUtc, JobData.Of(next.StartUtc))
            .UsingJobData(OccurrenceJob.EndUtc, JobData.Of(next.EndUtc))
            .UsingJobData(OccurrenceJob.Skipped, next.Skipped?.ToString() ?? "")
            .StartAt(next.StartUtc)
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, cancellationToken);
    }

    public async Task UnscheduleAsync(long windowId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.UnscheduleJob(KeyFor(windowId), cancellationToken);
    }

    public async Task<bool> IsScheduledAsync(long windowId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return await scheduler.Exists(KeyFor(windowId), cancellationToken);
    }
}
