using Orchestrator.Data.Runs;
using Orchestrator.Data.Windows;

namespace Orchestrator.Server.Scheduling;

/// <summary>
/// At start-up, makes sure every unfinished run has its end trigger and every enabled window its next
/// occurrence. Quartz's store normally still holds them; this covers a lost or replaced Quartz database. A
/// trigger in the past fires at once, which is how an end passed during downtime closes straight away.
/// </summary>
internal sealed class StartupReconciler(IRunStore runs, IWindowStore windows, RunTriggers runTriggers, WindowScheduler windowScheduler, TimeProvider time, ILogger<StartupReconciler> log)
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
