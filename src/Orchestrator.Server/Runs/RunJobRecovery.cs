using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Hooks;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Notifications;

namespace Orchestrator.Server.Runs;

/// <summary>
/// Once the server has started: every run that waits on a Hangfire job has that job waiting. These jobs are checked,
/// each found by its method and its run (the job's first argument):
/// <list type="bullet">
/// <item>the scan dispatch of an open run that is still before its cutoff, which hands out every next scan;</item>
/// <item>the pre-open hook of a run still Opening before its end, which asks the hook and opens the run on "go";</item>
/// <item>the close of a run still Closing (an operator's close-now, or a close cut short between its two steps);</item>
/// <item>the close-state settling of a closed run whose members are not settled (a stop within its close confirmation
/// grace), which also sends the unconfirmed-close alert. Such runs are looked for among those closed within the grace
/// and <see cref="SettlingRetries"/> of the latest close: a stop can only have cut short the settling of those.</item>
/// </list>
/// For each such run:
/// <list type="bullet">
/// <item>A run with no job at all gets a new one. Hangfire's jobs are not copied by <c>storage copy-to-postgres</c>, so a
/// run that needed one at the copy has none on PostgreSQL, and would wait forever.</item>
/// <item>A job cut short by a kill stays "Processing" in Hangfire's SQLite storage for its invisibility timeout (30
/// minutes); it is handed out again now instead, as the same job. A graceful stop already requeued it. A job this process
/// picked up in the meantime may be requeued too: each job survives a second execution (the dispatch finds its loop
/// running, the hook job finds the run's hook being asked, the close finds the run closed, the settling finds nothing
/// left to settle). Only where the storage does not return such jobs itself: on PostgreSQL a "Processing" job may be
/// running on a live node.</item>
/// </list>
/// </summary>
internal sealed class RunJobRecovery(
    IRunStore runs, JobStorage storage, IBackgroundJobClient jobs, TimeProvider time, IOptions<OrchestratorOptions> options, ILogger<RunJobRecovery> log)
{
    /// <summary>How many of the most recent jobs per state are searched for a run's job.</summary>
    private const int Scanned = 1_000;

    /// <summary>Beyond the grace, how long a settling job may have taken with its retries (about two minutes) and more.</summary>
    private static readonly TimeSpan SettlingRetries = TimeSpan.FromMinutes(5);

    private static readonly RunJob[] Checked =
    [
        new(
            "scan dispatch", RunState.Open, typeof(RunJobs), nameof(RunJobs.DispatchScansAsync),
            (run, now) => run.Definition.Scan.Enabled && now < run.CutoffAt,
            (client, run) => client.Enqueue<RunJobs>(j => j.DispatchScansAsync(run.Id, run.WindowName, CancellationToken.None))),
        new(
            "close", RunState.Closing, typeof(RunJobs), nameof(RunJobs.CloseAsync),
            (_, _) => true,
            (client, run) => client.Enqueue<RunJobs>(j => j.CloseAsync(run.Id, run.WindowName))),
        new(
            "close-state settling", RunState.Closed, typeof(RunJobs), nameof(RunJobs.VerifyClosedAsync),
            (_, _) => true,
            (client, run) => client.Enqueue<RunJobs>(j => j.VerifyClosedAsync(run.Id, run.WindowName))),
        new(
            "pre-open hook", RunState.Opening, typeof(PreOpenHookJob), nameof(PreOpenHookJob.OpenAsync),
            (run, now) => run.Definition.Hooks?.PreOpen is not null && now < run.PlannedEnd,
            (client, run) => client.Enqueue<PreOpenHookJob>(NotificationOptions.HookQueue, j => j.OpenAsync(run.Id, run.WindowName))),
    ];

    /// <param name="requeueCutShort">Requeue "Processing" jobs (the storage does not return a dead process's jobs).</param>
    /// <param name="cancellationToken">The server's stop.</param>
    public async Task RecoverAsync(bool requeueCutShort, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var candidates = (await runs.ListNotFinalAsync(cancellationToken))
            .Concat(await runs.ListUnsettledClosedAsync(options.Value.CloseConfirmationGrace + SettlingRetries, cancellationToken))
            .ToList();
        var needing = Checked.Select(kind => (Kind: kind, Runs: candidates.Where(r => kind.Needs(r, now)).ToList())).Where(k => k.Runs.Count > 0).ToList();
        if (needing.Count == 0)
        {
            return;
        }

        // Waiting first, then processing: a job that moves from one to the other in between is seen in the first.
        var monitor = storage.GetMonitoringApi();
        var waiting = monitor.ScheduledJobs(0, Scanned).Select(j => j.Value?.Job)
            .Concat(monitor.Queues().SelectMany(q => monitor.EnqueuedJobs(q.Name, 0, Scanned).Select(j => j.Value?.Job)))
            .OfType<Job>()
            .ToList();
        var processing = monitor.ProcessingJobs(0, Scanned).Where(j => j.Value?.Job is not null).Select(j => (Id: j.Key, j.Value.Job)).ToList();

        foreach (var (kind, forRuns) in needing)
        {
            var waitingFor = waiting.Select(kind.RunOf).OfType<long>().ToHashSet();
            var cutShort = processing.Select(j => (j.Id, Run: kind.RunOf(j.Job))).Where(j => j.Run is not null).ToLookup(j => j.Run!.Value, j => j.Id);
            var (requeued, queued) = (0, 0);
            foreach (var run in forRuns.Where(r => !waitingFor.Contains(r.Id)))
            {
                if (cutShort[run.Id].FirstOrDefault() is { } jobId)
                {
                    if (!requeueCutShort)
                    {
                        continue;
                    }

                    jobs.Requeue(jobId);
                    requeued++;
                    log.LogWarning("Run {RunId}: its {Job} job {JobId} was cut short by a stop; it runs again", run.Id, kind.Name, jobId);
                }
                else
                {
                    kind.Enqueue(jobs, run);
                    queued++;
                    log.LogWarning("Run {RunId}: no {Job} job was waiting; a new one is queued", run.Id, kind.Name);
                }
            }

            log.LogInformation(
                "{Job} of {Runs} {State} run(s) checked at start-up: {Requeued} job(s) requeued, {Queued} queued anew, the others waiting or running",
                string.Concat(kind.Name[..1].ToUpperInvariant(), kind.Name[1..]), forRuns.Count, kind.State.ToString().ToLowerInvariant(), requeued, queued);
        }
    }

    /// <summary>A job that a run in <see cref="State"/> needs while <see cref="Also"/> holds; its first argument is the
    /// run's id.</summary>
    private sealed record RunJob(
        string Name, RunState State, Type Type, string Method, Func<RunRecord, DateTimeOffset, bool> Also, Action<IBackgroundJobClient, RunRecord> Enqueue)
    {
        public bool Needs(RunRecord run, DateTimeOffset now) => run.State == State && Also(run, now);

        public long? RunOf(Job? job) =>
            job is { Type: var type, Method.Name: var method } && type == Type && method == Method && job.Args.Count > 0 && job.Args[0] is long id ? id : null;
    }
}
