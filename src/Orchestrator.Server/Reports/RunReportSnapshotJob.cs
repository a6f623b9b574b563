using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Reports;

namespace Orchestrator.Server.Reports;

/// <summary>
/// Stores a run's final report once late agent reports can no longer change it, and sends on-call its critical
/// anomalies. RunJobs.CloseAsync schedules it <see cref="RunReportBuilder.SnapshotDelay"/> after the close; start-up
/// recovery queues it again for a run closed shortly before a stop or a copy (RunJobRecovery). Running it twice replaces
/// the snapshot with an identical one and sends the alert once: its deliveries have ids derived from the run, so an
/// execution cut short after recording them queues none twice, and the run's alert is recorded as sent only once every
/// delivery is in the outbox, so no execution is cut short in a way that loses it.
/// </summary>
internal sealed class RunReportSnapshotJob(
    IServiceProvider services, Data.Runs.IRunStore runs, IRunReportStore reports, Notifications.RunAlerts alerts, TimeProvider time, ILogger<RunReportSnapshotJob> log)
{
    [JobDisplayName("Report snapshot \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [5, 10, 30, 60, 300])]
    public async Task TakeAsync(long runId, string windowName)
    {
        var builder = ActivatorUtilities.GetServiceOrCreateInstance<RunReportBuilder>(services);
        var taken = await builder.SnapshotAsync(runId, CancellationToken.None);
        log.LogInformation("Run {RunId} of window \"{Window}\": final report stored ({Anomalies} anomalies)", runId, windowName, taken?.Snapshot.Anomalies);
        if (taken is not ({ } report, { Critical: > 0 }) || await runs.GetAsync(runId) is not { } run)
        {
            return;
        }

        // Pending after the snapshot was stored: the critical alert is not recorded as sent.
        if ((await reports.ListReportsPendingAsync([runId])).Count == 0)
        {
            log.LogInformation("Run {RunId}: the final report's critical-anomaly alert was sent before; not sent again", runId);
            return;
        }

        await alerts.CriticalAnomaliesAsync(run, report.Anomalies);
        await reports.RecordReportAlertAsync(runId, time.GetUtcNow());
    }
}
