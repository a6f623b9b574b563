using Hangfire;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hooks;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Scans;
using Orchestrator.Server.Scheduling;

namespace Orchestrator.Server.Runs;

/// <summary>
/// The lifecycle work of a run, as Hangfire jobs with readable names in the dashboard. Every job may run twice
/// (retries, a repeated fire): each one moves the run only from the states it expects, so a repeat changes nothing.
/// </summary>
internal sealed class RunJobs(
    IRunStore runs,
    ScanDispatcher dispatcher,
    RunMembership membership,
    RunTriggers triggers,
    DesiredStateNotifier notifier,
    IBackgroundJobClient jobs,
    TimeProvider time,
    IOptions<OrchestratorOptions> options,
    RunAlerts alerts,
    DesiredStates states,
    ILogger<RunJobs> log)
{
    private readonly DesiredStates _states = states;
    private readonly RunAlerts _alerts = alerts;
    private readonly ScanDispatcher _dispatcher = dispatcher;
    private readonly DesiredStateNotifier _notifier = notifier;
    private readonly IBackgroundJobClient _jobs = jobs;
    private readonly IRunStore _runs = runs;
    private readonly RunMembership _membership = membership;
    private readonly RunTriggers _triggers = triggers;
    private readonly TimeProvider _time = time;
    private readonly OrchestratorOptions _options = options.Value;
    private readonly ILogger<RunJobs> _log = log;

    /// <summary>The longest rest of a grace the verify job waits out itself instead of scheduling itself again.</summary>
    private static readonly TimeSpan MaxWaitInJob = TimeSpan.FromSeconds(2);

    [JobDisplayName("Open window \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [1, 2, 5, 10, 30])]
    public async Task OpenAsync(long runId, string windowName)
    {
        if (await _runs.GetAsync(runId) is not { } run || RunStates.IsFinal(run.State))
        {
            return;
        }

        // Whoever opens the run, its cutoff and end must be in Quartz (the starter schedules them after opening).
        await _triggers.EnsureAsync(run, CancellationToken.None);
        await OpenNowAsync(run, windowName);
    }

    /// <summary>Freezes the members and opens the run if it is still Opening (the starter calls this at once).</summary>
    public async Task OpenNowAsync(RunRecord run, string windowName)
    {
        ArgumentNullException.ThrowIfNull(run);
        var runId = run.Id;
        if (run.State != RunState.Opening)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (now >= run.PlannedEnd)
        {
            if (await _runs.TransitionAsync(runId, RunState.Missed, Actor.Scheduler, now))
            {
                await _alerts.MissedAsync(run);
            }

            return;
        }

        var resolving = _time.GetTimestamp();
        var members = await _membership.FreezeAsync(run);
        var resolved = _time.GetElapsedTime(resolving);
        var openedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        if (await _runs.OpenAsync(runId, members, Actor.Scheduler, openedAt))
        {
            var stored = _time.GetElapsedTime(started);
            var endpoints = members.Select(m => m.EndpointId).ToList();
            var warned = false;
            // The other nodes are told now; this node's own parked polls wake a chunk at a time, each once its states
            // are read ahead.
            await _notifier.NotifyAsync(endpoints, async chunk =>
            {
                try
                {
                    await _states.WarmAsync(chunk, CancellationToken.None);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Only a shortcut: every agent of the chunk reads its own state when it wakes. Chunks are read one
                    // after another, so one warning per opening is enough.
                    if (!warned)
                    {
                        warned = true;
                        _log.LogWarning(e, "Run {RunId}: reading the members' desired states ahead failed; each agent reads its own", runId);
                    }
                }
            });
            var read = _time.GetElapsedTime(started) - stored;

            // The cutoff trigger may have fired while the run was still opening (a cutoff at the start, or a late
            // open): that transition was refused then, so the open makes it now.
            if (_time.GetUtcNow() >= run.CutoffAt)
            {
                await _runs.TransitionAsync(runId, RunState.Cutoff, Actor.Scheduler, _time.GetUtcNow());
            }

            _log.LogInformation(
                "Run {RunId} of window \"{Window}\" open for {Members} endpoints until {End:O} (members resolved in {ResolvedMs:0} ms, stored in {StoredMs:0} ms, their states read and their agents woken in {ReadMs:0} ms)",
                runId, windowName, members.Count, run.PlannedEnd, resolved.TotalMilliseconds, stored.TotalMilliseconds, read.TotalMilliseconds);
            if (run.Definition.Scan.Enabled)
            {
                _jobs.Enqueue<RunJobs>(j => j.DispatchScansAsync(runId, windowName, CancellationToken.None));
            }

            await _alerts.OpenedAsync(run, members, openedAt);
        }
    }

    /// <summary>
    /// The run's one dispatch job: hands scans out in waves until the cutoff, the run's end, or failures beyond maxErrors
    /// (<see cref="ScanDispatcher"/>). It waits between waves on the "scans" queue, whose own workers keep it from
    /// delaying any opening or closing. A shutdown cancels it and Hangfire hands it out again after the restart.
    /// </summary>
    [JobDisplayName("Dispatch scans \"{1}\" · run {0}")]
    [Queue(ScanDispatcher.Queue)]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [1, 5, 10])]
    public async Task DispatchScansAsync(long runId, string windowName, CancellationToken cancellationToken)
    {
        if (await _dispatcher.RunAsync(runId, cancellationToken) == ScanDispatcher.Outcome.SliceOver)
        {
            // A job runs for at most one slice: Hangfire's SQLite storage hands out a job again once it has been
            // running longer than its invisibility timeout, so a scan phase of hours continues in a fresh job.
            _jobs.Enqueue<RunJobs>(j => j.DispatchScansAsync(runId, windowName, CancellationToken.None));
        }
    }

    /// <summary>A wave job scheduled by a server before one dispatch job per run: hands the run to the loop.</summary>
    [JobDisplayName("Dispatch scans \"{1}\" · run {0}")]
    public Task DispatchScansAsync(long runId, string windowName)
    {
        _jobs.Enqueue<RunJobs>(j => j.DispatchScansAsync(runId, windowName, CancellationToken.None));
        return Task.CompletedTask;
    }

    [JobDisplayName("Cutoff (no new scans) \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [1, 2, 5, 10, 30])]
    public async Task EnterCutoffAsync(long runId, string windowName)
    {
        if (await _runs.TransitionAsync(runId, RunState.Cutoff, Actor.Scheduler, _time.GetUtcNow()))
        {
            _log.LogInformation("Run {RunId} of window \"{Window}\" entered its cutoff", runId, windowName);
        }
    }

    [JobDisplayName("Close window \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 10, DelaysInSeconds = [1, 2, 5, 10, 30])]
    public async Task CloseAsync(long runId, string windowName)
    {
        if (await _runs.GetAsync(runId) is not { } run || RunStates.IsFinal(run.State))
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (run.State == RunState.Opening)
        {
            // Never opened: the window passed before anything could open it.
            if (await _runs.TransitionAsync(runId, RunState.Missed, Actor.Scheduler, now))
            {
                await _alerts.MissedAsync(run);
            }
        }
        else
        {
            var reason = run.CloseReason ?? (now - run.PlannedEnd > _options.LateCloseThreshold ? CloseReason.EndedDuringDowntime : CloseReason.Ended);
            await _runs.TransitionAsync(runId, RunState.Closing, Actor.Scheduler, now, reason);
            if (!await _runs.TransitionAsync(runId, RunState.Closed, Actor.Scheduler, now, reason))
            {
                // Another execution of this close (a repeated end, a requeued job) closed the run and queues what follows.
                return;
            }

            await _notifier.NotifyAsync((await _runs.GetMembersAsync(runId)).Select(m => m.EndpointId));
            _jobs.Schedule<RunJobs>(j => j.VerifyClosedAsync(runId, windowName), GraceLeft(run, now));
            _jobs.Schedule<Reports.RunReportSnapshotJob>(j => j.TakeAsync(runId, windowName), Reports.RunReportBuilder.SnapshotDelay(_options));
            _log.LogInformation("Run {RunId} of window \"{Window}\" closed ({Reason})", runId, windowName, reason);
            if (run.Definition.Hooks?.PostClose is not null)
            {
                _jobs.Enqueue<PostCloseHookJob>(NotificationOptions.HookQueue, j => j.CallAsync(runId, windowName));
            }

            await _alerts.ClosedAsync(run, reason.ToString());
        }

        await _triggers.RemoveAsync(runId, CancellationToken.None);
    }

    /// <summary>
    /// The grace counts from the moment the endpoints' desired state dropped the opening: the earlier of the server's
    /// close (<paramref name="closedAt"/>) and the planned end (docs/reports.md, "close-ack latency"). After downtime
    /// that moment is long past and the members are settled at once; a confirmation that comes later is recorded late.
    /// </summary>
    private TimeSpan GraceLeft(RunRecord run, DateTimeOffset closedAt)
    {
        var reference = closedAt < run.PlannedEnd ? closedAt : run.PlannedEnd;
        var left = reference + _options.CloseConfirmationGrace - closedAt;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>Once the grace has passed: members whose agent confirmed the close are Confirmed; the others
    /// "closed by expiry, unconfirmed" when their opening's expiry (the planned end) has passed, or Unconfirmed when it
    /// is still ahead (a close-now): the port may be open there until the planned end, which the report flags as
    /// critical. A confirmation that arrives later turns either into ConfirmedLate.</summary>
    [JobDisplayName("Verify closed \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [1, 5, 10, 30, 60])]
    public async Task VerifyClosedAsync(long runId, string windowName)
    {
        if (await _runs.GetAsync(runId) is { ClosedAt: { } closedAt } closedRun)
        {
            // Hangfire's SQLite storage keeps whole seconds, so a scheduled job may start up to a second early: the grace
            // is waited out here to the millisecond; anything longer (a job run by hand) is scheduled again.
            var left = GraceLeft(closedRun, closedAt) - (_time.GetUtcNow() - closedAt);
            if (left > MaxWaitInJob)
            {
                _jobs.Schedule<RunJobs>(j => j.VerifyClosedAsync(runId, windowName), left);
                return;
            }

            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, _time);
            }
        }

        var settled = await _runs.SettleCloseStatesAsync(runId, _time.GetUtcNow());
        if ((settled.OpenUntilExpiry > 0 || settled.Unconfirmed > 0) && await _runs.GetAsync(runId) is { } unconfirmedRun)
        {
            await _alerts.CloseUnconfirmedAsync(unconfirmedRun, await _runs.GetMembersAsync(runId));
        }

        if (settled.OpenUntilExpiry > 0 && await _runs.GetAsync(runId) is { } run)
        {
            _log.LogError("Run {RunId} of window \"{Window}\": {Count} endpoints did not confirm the close; the port may be open on them until {End:O}", runId, windowName, settled.OpenUntilExpiry, run.PlannedEnd);
        }

        if (settled.Unconfirmed > 0)
        {
            _log.LogWarning("Run {RunId} of window \"{Window}\": {Count} endpoints did not confirm the close; their opening had expired", runId, windowName, settled.Unconfirmed);
        }
    }
}
