using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Runs;
using Quartz;

namespace Orchestrator.Server.Scheduling;

/// <summary>
/// Fires at a window occurrence. It records the occurrence's run (the unique run row is the only guard against
/// a second run), hands the opening to Hangfire, and schedules the window's next occurrence. A late fire after
/// downtime opens for the remainder of the window, or records the run as missed when the window is over.
/// Occurrences of different windows fire concurrently; a repeated fire of one occurrence is harmless.
/// </summary>
internal sealed class OccurrenceJob(IWindowStore windows, RunStarter starter, WindowScheduler scheduler, TimeProvider time, ILogger<OccurrenceJob> log) : IJob
{
    public static readonly JobKey Key = new("occurrence", "windows");
    public const string WindowId = "windowId";
    public const string Revision = "revision";
    public const string OccurrenceKey = "occurrenceKey";
    public const string StartUtc = "startUtc";
    public const string EndUtc = "endUtc";
    public const string Skipped = "skipped";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var windowId = data.Long(WindowId);
        if (await windows.GetAsync(windowId, cancellationToken) is not { } window || !window.Definition.Enabled)
        {
            log.LogInformation("Window {WindowId} is gone or disabled; occurrence {Key} ignored", windowId, data.Text(OccurrenceKey));
            return;
        }

        var start = data.Instant(StartUtc);
        var end = data.Instant(EndUtc);
        var now = time.GetUtcNow();
        log.LogInformation("Occurrence {Key} of window \"{Window}\" fired {Late:0.000} s after its start", data.Text(OccurrenceKey), window.Definition.Name, (now - start).TotalSeconds);
        var state = data.Text(Skipped) != "" ? RunState.Skipped
            : now >= end ? RunState.Missed
            : RunState.Opening;
        await starter.StartAsync(window, RunKind.Scheduled, data.Text(OccurrenceKey), start, end, state, cancellationToken);
        await scheduler.ScheduleNextAsync(window, start.AddTicks(1), cancellationToken, context.Trigger.Key);
    }
}
