using Hangfire;
using Hangfire.Common;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Runs;

namespace Orchestrator.Server.Scans;

/// <summary>
/// Once the server has started: every open run that is still before its cutoff has its dispatch job waiting.
/// <list type="bullet">
/// <item>A run with no dispatch job at all gets a new one. Hangfire's jobs are not copied by <c>storage
/// copy-to-postgres</c>, so a run open at the copy has none on PostgreSQL, and its remaining members would never be asked
/// to scan.</item>
/// <item>A job cut short by a kill stays "Processing" in Hangfire's SQLite storage for its invisibility timeout (30
/// minutes); it is handed out again now instead, as the same job. A graceful stop already requeued it. A job this process
/// picked up in the meantime may be requeued too: its second execution finds the loop running and returns. Only where the
/// storage does not return such jobs itself: on PostgreSQL a "Processing" job may be running on a live node.</item>
/// </list>
/// </summary>
internal sealed class ScanDispatchRecovery(IRunStore runs, JobStorage storage, IBackgroundJobClient jobs, TimeProvider time, ILogger<ScanDispatchRecovery> log)
{
    /// <summary>How many of the most recent jobs per state are searched for a run's dispatch job.</summary>
    private const int Scanned = 1_000;

    /// <param name="requeueCutShort">Requeue "Processing" jobs (the storage does not return a dead process's jobs).</param>
    /// <param name="cancellationToken">The server's stop.</param>
    public async Task RecoverAsync(bool requeueCutShort, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var scanning = (await runs.ListNotFinalAsync(cancellationToken))
            .Where(r => r.State == RunState.Open && r.Definition.Scan.Enabled && now < r.CutoffAt)
            .ToList();
        if (scanning.Count == 0)
        {
            return;
        }

        var monitor = storage.GetMonitoringApi();
        var waiting = monitor.ScheduledJobs(0, Scanned).Select(j => j.Value?.Job)
            .Concat(monitor.Queues().SelectMany(q => monitor.EnqueuedJobs(q.Name, 0, Scanned).Select(j => j.Value?.Job)))
            .Select(RunOf).OfType<long>().ToHashSet();
        var cutShort = monitor.ProcessingJobs(0, Scanned)
            .Select(j => (j.Key, Run: RunOf(j.Value?.Job)))
            .Where(j => j.Run is not null)
            .ToLookup(j => j.Run!.Value, j => j.Key);

        var (requeued, queued) = (0, 0);
        foreach (var run in scanning.Where(r => !waiting.Contains(r.Id)))
        {
            if (cutShort[run.Id].FirstOrDefault() is { } jobId)
            {
                if (!requeueCutShort)
                {
                    continue;
                }

                jobs.Requeue(jobId);
                requeued++;
                log.LogWarning("Run {RunId}: its scan dispatch job {JobId} was cut short by a stop; it runs again", run.Id, jobId);
            }
            else
            {
                jobs.Enqueue<RunJobs>(j => j.DispatchScansAsync(run.Id, run.WindowName, CancellationToken.None));
                queued++;
                log.LogWarning("Run {RunId}: no scan dispatch job was waiting; a new one continues the dispatch", run.Id);
            }
        }

        log.LogInformation(
            "Scan dispatch of {Runs} open run(s) checked at start-up: {Requeued} job(s) requeued, {Queued} queued anew, the others waiting or running",
            scanning.Count, requeued, queued);
    }

    /// <summary>The run a scan dispatch job is for (its first argument).</summary>
    public static long? RunOf(Job? job) =>
        job is { Type: var type, Method.Name: nameof(RunJobs.DispatchScansAsync) } && type == typeof(RunJobs) && job.Args.Count > 0 && job.Args[0] is long id ? id : null;
}
