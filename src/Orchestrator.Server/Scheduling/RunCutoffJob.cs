using Hangfire;
using Orchestrator.Server.Runs;
using Quartz;

namespace Orchestrator.Server.Scheduling;

/// <summary>Fires when a run enters its cutoff (no new scans) and hands the transition to Hangfire.</summary>
internal sealed class RunCutoffJob(IBackgroundJobClient jobs) : IJob
{
    public static readonly JobKey Key = new("run-cutoff", "runs");

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var runId = data.Long(RunEndJob.RunId);
        var windowName = data.Text(RunEndJob.WindowName);
        jobs.Enqueue<RunJobs>(j => j.EnterCutoffAsync(runId, windowName));
        return ValueTask.CompletedTask;
    }
}
