using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Server.Reports;

/// <summary>
/// Stores a run's final report once late agent reports can no longer change it. RunJobs.CloseAsync schedules it
/// <see cref="RunReportBuilder.SnapshotDelay"/> after the close; running it twice replaces the snapshot with an
/// identical one.
/// </summary>
internal sealed class RunReportSnapshotJob(IServiceProvider services, Data.Runs.IRunStore runs, Notifications.RunAlerts alerts, ILogger<RunReportSnapshotJob> log)
{
    [JobDisplayName("Report snapshot \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [5, 10, 30, 60, 300])]
    public async Task TakeAsync(long runId, string windowName)
    {
        var builder = ActivatorUtilities.GetServiceOrCreateInstance<RunReportBuilder>(services);
        var snapshot = await builder.SnapshotAsync(runId, CancellationToken.None);
        log.LogInformation("Run {RunId} of window \"{Window}\": final report stored ({Anomalies} anomalies)", runId, windowName, snapshot?.Anomalies);
        if (snapshot is { Critical: > 0 } && await runs.GetAsync(runId) is { } run
            && await builder.BuildAsync(runId, 0, 1, withJobs: false, CancellationToken.None) is { } report)
        {
            await alerts.CriticalAnomaliesAsync(run, report.Anomalies);
        }
    }
}
