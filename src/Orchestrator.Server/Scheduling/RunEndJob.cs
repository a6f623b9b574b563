using Hangfire;
using Orchestrator.Server.Runs;
using Quartz;

namespace Orchestrator.Server.Scheduling;

/// <summary>Fires at a run's planned end (at once after downtime) and hands the close to Hangfire.</summary>
internal sealed class RunEndJob(IBackgroundJobClient jobs) : IJob
{
    public static readonly JobKey Key = new("run-end", "runs");
    public const string RunId = "runId";
    public const string WindowName = "windowName";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var runId = data.Long(RunId);
        var windowName = data.Text(WindowName);
        jobs.Enqueue<RunJobs>(j => j.CloseAsync(runId, windowName));
        return ValueTask.CompletedTask;
    }
}
