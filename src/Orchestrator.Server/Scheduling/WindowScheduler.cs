using Orchestrator.Core.Schedules;
using Orchestrator.Data.Windows;
using Quartz;

namespace Orchestrator.Server.Scheduling;

/// <summary>
/// Keeps one pending persistent Quartz trigger per enabled window, at its next occurrence. Core computes the
/// occurrence (offsets, DST, blackouts); Quartz holds the instant durably and fires it, late if it must.
/// Each occurrence has its own trigger key inside the window's trigger group: the firing job schedules the
/// next one, and Quartz deletes a completed one-shot trigger by key, so reusing one key would delete the
/// trigger just scheduled.
/// </summary>
internal sealed class WindowScheduler(ISchedulerFactory schedulers)
{
    public static string GroupFor(long windowId) => $"window-{windowId}";

    public static TriggerKey KeyFor(long windowId, string occurrenceKey) => new($"occurrence-{occurrenceKey}", GroupFor(windowId));

    /// <summary>Schedules the first occurrence starting at or after <paramref name="fromUtc"/>, replacing any pending one
    /// except <paramref name="firing"/>, the trigger whose job is calling (Quartz removes it when the job returns).</summary>
    public async Task ScheduleNextAsync(WindowRecord window, DateTimeOffset fromUtc, CancellationToken cancellationToken, TriggerKey? firing = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        var next = window.Definition.Enabled ? OccurrenceCalculator.From(window.Definition.Schedule, fromUtc).FirstOrDefault() : null;
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var pending = await PendingAsync(scheduler, window.Id, cancellationToken);
        var key = next is null ? null : KeyFor(window.Id, next.Key);
        var stale = pending.Where(k => !k.Equals(key) && !k.Equals(firing)).ToList();
        if (stale.Count > 0)
        {
            await scheduler.UnscheduleJobs(stale, cancellationToken);
        }

        if (next is null)
        {
            return;
        }

        var trigger = TriggerBuilder.Create()
            .WithIdentity(key!)
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
        await scheduler.UnscheduleJobs(GroupMatcher<TriggerKey>.GroupEquals(GroupFor(windowId)), cancellationToken);
    }

    public async Task<bool> IsScheduledAsync(long windowId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return (await PendingAsync(scheduler, windowId, cancellationToken)).Count > 0;
    }

    private static async Task<IReadOnlyList<TriggerKey>> PendingAsync(IScheduler scheduler, long windowId, CancellationToken cancellationToken)
    {
        var page = await scheduler.QueryTriggers(new TriggerQuery { Group = GroupMatcher<TriggerKey>.GroupEquals(GroupFor(windowId)) }, cancellationToken);
        return page.Items.Select(t => t.Key).ToList();
    }
}
