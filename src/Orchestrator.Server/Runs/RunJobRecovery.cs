using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Notifications;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Hooks;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Reports;

namespace Orchestrator.Server.Runs;

/// <summary>
/// Once the server has started: every run that waits on a Hangfire job has that job waiting. These jobs are checked,
/// each found by its method and its run (the job's first argument):
/// <list type="bullet">
/// <item>the scan dispatch of an open run that is still before its cutoff, which hands out every next scan;</item>
/// <item>the pre-open hook of a run still Opening before its end, which asks the hook and opens the run on "go";</item>
/// <item>the close of a run still Closing (an operator's close-now, or a close cut short between its two steps);</item>
/// <item>the close-state settling of a closed run whose members are not settled (a stop within its close confirmation
/// grace), which also sends the unconfirmed-close alert;</item>
/// <item>the post-close hook call of a closed run whose window has one and whose call is not recorded (a stop before or
/// during the call);</item>
/// <item>the report snapshot of a closed run whose final report is not stored, or whose critical-anomaly alert is not
/// recorded as sent (scheduled for when the report is final, or at once when that has passed).</item>
/// </list>
/// Closed runs are looked for among those closed within the snapshot delay (late-report grace and close confirmation
/// grace) and <see cref="SnapshotRetries"/> of the latest close: a stop can only have cut short the settling, the hook
/// call (a hook answers within 2 minutes at most) or the report snapshot of those; the unsettled ones among those closed
/// within the grace and <see cref="SettlingRetries"/>.
/// For each such run:
/// <list type="bullet">
/// <item>A run with no job at all gets a new one. Hangfire's jobs are not copied by <c>storage copy-to-postgres</c>, so a
/// run that needed one at the copy has none on PostgreSQL, and would wait forever.</item>
/// <item>A job cut short by a kill stays "Processing" in Hangfire's SQLite storage for its invisibility timeout (30
/// minutes); it is handed out again now instead, as the same job. A graceful stop already requeued it. A job this process
/// picked up in the meantime may be requeued too: each job survives a second execution (the dispatch finds its loop
/// running, the pre-open hook job finds the run's hook being asked, the close finds the run closed, the settling finds
/// nothing left to settle, the post-close hook job finds its call recorded or being made, the snapshot job finds its
/// alert recorded). Only where the storage does
/// not return such jobs itself: on PostgreSQL a "Processing" job may be running on a live node.</item>
/// </list>
/// </summary>
internal sealed class RunJobRecovery(
    IRunStore runs, IRunReportStore reports, IHookCallStore hookCalls, JobStorage storage, IBackgroundJobClient jobs, TimeProvider time, IOptions<OrchestratorOptions> options,
    ILogger<RunJobRecovery> log)
{
    /// <summary>How many of the most recent jobs per state are searched for a run's job.</summary>
    private const int Scanned = 1_000;

    /// <summary>Beyond the grace, how long a settling job may have taken with its retries (about two minutes) and more.</summary>
    private static readonly TimeSpan SettlingRetries = TimeSpan.FromMinutes(5);

    /// <summary>Beyond the snapshot delay, how long a snapshot job may have taken with its retries (about 7 minutes) and more.</summary>
    private static readonly TimeSpan SnapshotRetries = TimeSpan.FromMinutes(10);

    private static readonly RunJob[] Checked =
    [
        new(
            "scan dispatch", RunState.Open, typeof(RunJobs), nameof(RunJobs.DispatchScansAsync),
            (run, found) => run.Definition.Scan.Enabled && found.Now < run.CutoffAt,
            (client, run, _) => client.Enqueue<RunJobs>(j => j.DispatchScansAsync(run.Id, run.WindowName, CancellationToken.None))),
        new(
            "close", RunState.Closing, typeof(RunJobs), nameof(RunJobs.CloseAsync),
            (_, _) => true,
            (client, run, _) => client.Enqueue<RunJobs>(j => j.CloseAsync(run.Id, run.WindowName))),
        new(
            "close-state settling", RunState.Closed, typeof(RunJobs), nameof(RunJobs.VerifyClosedAsync),
            (run, found) => found.Unsettled.Contains(run.Id),
            (client, run, _) => client.Enqueue<RunJobs>(j => j.VerifyClosedAsync(run.Id, run.WindowName))),
        new(
            "pre-open hook", RunState.Opening, typeof(PreOpenHookJob), nameof(PreOpenHookJob.OpenAsync),
            (run, found) => run.Definition.Hooks?.PreOpen is not null && found.Now < run.PlannedEnd,
            (client, run, _) => client.Enqueue<PreOpenHookJob>(NotificationOptions.HookQueue, j => j.OpenAsync(run.Id, run.WindowName))),
        new(
            "post-close hook", RunState.Closed, typeof(PostCloseHookJob), nameof(PostCloseHookJob.CallAsync),
            (run, found) => found.PostCloseNotCalled.Contains(run.Id),
            (client, run, _) => client.Enqueue<PostCloseHookJob>(NotificationOptions.HookQueue, j => j.CallAsync(run.Id, run.WindowName))),
        new(
            "report snapshot", RunState.Closed, typeof(RunReportSnapshotJob), nameof(RunReportSnapshotJob.TakeAsync),
            (run, found) => found.ReportsPending.Contains(run.Id),
            (client, run, found) => client.Schedule<RunReportSnapshotJob>(j => j.TakeAsync(run.Id, run.WindowName), found.UntilReportFinal(run))),
    ];

    /// <summary>How long before the latest close a closed run is still looked at by start-up recovery: the snapshot delay
    /// and <see cref="SnapshotRetries"/>.</summary>
    public static TimeSpan RecentlyClosed(OrchestratorOptions options) => RunReportBuilder.SnapshotDelay(options) + SnapshotRetries;

    /// <param name="requeueCutShort">Requeue "Processing" jobs (the storage does not return a dead process's jobs).</param>
    /// <param name="cancellationToken">The server's stop.</param>
    public async Task RecoverAsync(bool requeueCutShort, CancellationToken cancellationToken)
    {
        var snapshotDelay = RunReportBuilder.SnapshotDelay(options.Value);
        var recentlyClosed = await runs.ListRecentlyClosedAsync(RecentlyClosed(options.Value), cancellationToken);
        var unsettled = (await runs.ListUnsettledClosedAsync(options.Value.CloseConfirmationGrace + SettlingRetries, cancellationToken)).Select(r => r.Id).ToHashSet();
        var reportsPending = (await reports.ListReportsPendingAsync(recentlyClosed.Select(r => r.Id).ToList(), cancellationToken)).ToHashSet();
        var postCloseNotCalled = new HashSet<long>();
        foreach (var run in recentlyClosed.Where(r => r.Definition.Hooks?.PostClose is not null))
        {
            if (!(await hookCalls.ListForRunAsync(run.Id, cancellationToken)).Any(c => c.Kind == HookKinds.PostClose))
            {
                postCloseNotCalled.Add(run.Id);
            }
        }

        var found = new Found(time.GetUtcNow(), unsettled, postCloseNotCalled, reportsPending, snapshotDelay);
        var candidates = (await runs.ListNotFinalAsync(cancellationToken)).Concat(recentlyClosed).ToList();
        var needing = Checked.Select(kind => (Kind: kind, Runs: candidates.Where(r => kind.Needs(r, found)).ToList())).Where(k => k.Runs.Count > 0).ToList();
        if (needing.Count == 0)
        {
            return;
        }

        var stored = StoredJobs.Read(storage, Scanned);
        foreach (var (kind, forRuns) in needing)
        {
            var waitingFor = stored.Waiting.Select(kind.RunOf).OfType<long>().ToHashSet();
            var cutShort = stored.Processing.Select(j => (j.Id, Run: kind.RunOf(j.Job))).Where(j => j.Run is not null).ToLookup(j => j.Run!.Value, j => j.Id);
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
                    kind.Enqueue(jobs, run, found);
                    queued++;
                    log.LogWarning("Run {RunId}: no {Job} job was waiting; a new one is queued", run.Id, kind.Name);
                }
            }

            log.LogInformation(
                "{Job} of {Runs} {State} run(s) checked at start-up: {Requeued} job(s) requeued, {Queued} queued anew, the others waiting or running",
                string.Concat(kind.Name[..1].ToUpperInvariant(), kind.Name[1..]), forRuns.Count, kind.State.ToString().ToLowerInvariant(), requeued, queued);
        }
    }

    /// <summary>What start-up found besides the runs themselves: the time, closed runs with unsettled members, closed runs
    /// whose post-close hook has no recorded call, and closed runs whose final report has work left; and how long after
    /// its close a run's report is final.</summary>
    private sealed record Found(
        DateTimeOffset Now, IReadOnlySet<long> Unsettled, IReadOnlySet<long> PostCloseNotCalled, IReadOnlySet<long> ReportsPending, TimeSpan SnapshotDelay)
    {
        /// <summary>How long until the closed run's report is final; zero once it is.</summary>
        public TimeSpan UntilReportFinal(RunRecord run)
        {
            var left = (run.ClosedAt ?? Now) + SnapshotDelay - Now;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>A job that a run in <see cref="State"/> needs while <see cref="Also"/> holds; its first argument is the
    /// run's id.</summary>
    private sealed record RunJob(
        string Name, RunState State, Type Type, string Method, Func<RunRecord, Found, bool> Also, Action<IBackgroundJobClient, RunRecord, Found> Enqueue)
    {
        public bool Needs(RunRecord run, Found found) => run.State == State && Also(run, found);

        public long? RunOf(Job? job) =>
            job is { Type: var type, Method.Name: var method } && type == Type && method == Method && job.Args.Count > 0 && job.Args[0] is long id ? id : null;
    }
}
