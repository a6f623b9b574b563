using Hangfire;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Scheduling;

namespace Orchestrator.Server.Runs;

/// <summary>
/// The lifecycle work of a run, as Hangfire jobs with readable names in the dashboard. Every job may run twice
/// (retries, a repeated fire): each one moves the run only from the states it expects, so a repeat changes nothing.
/// </summary>
internal sealed class RunJobs(
    IRunStore runs, RunMembership membership, RunTriggers triggers, TimeProvider time, IOptions<OrchestratorOptions> options, ILogger<RunJobs> log)
{
    private readonly IRunStore _runs = runs;
    private readonly RunMembership _membership = membership;
    private readonly RunTriggers _triggers = triggers;
    private readonly TimeProvider _time = time;
    private readonly OrchestratorOptions _options = options.Value;
    private readonly ILogger<RunJobs> _log = log;

    [JobDisplayName("Open window \"{1}\" · run {0}")]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [1, 2, 5, 10, 30])]
    public async Task OpenAsync(long runId, string windowName)
    {
        if (await _runs.GetAsync(runId) is not { State: RunState.Opening } run)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (now >= run.PlannedEnd)
        {
            await _runs.TransitionAsync(runId, RunState.Missed, Actor.Scheduler, now);
            return;
        }

        var members = await _membership.FreezeAsync(run);
        if (await _runs.OpenAsync(runId, members, Actor.Scheduler, _time.GetUtcNow()))
        {
            _log.LogInformation("Run {RunId} of window \"{Window}\" open for {Members} endpoints until {End:O}", runId, windowName, members.Count, run.PlannedEnd);
        }
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
            await _runs.TransitionAsync(runId, RunState.Missed, Actor.Scheduler, now);
        }
        else
        {
            var reason = run.CloseReason ?? (now - run.PlannedEnd > _options.LateCloseThreshold ? CloseReason.EndedDuringDowntime : CloseReason.Ended);
            await _runs.TransitionAsync(runId, RunState.Closing, Actor.Scheduler, now, reason);
            await _runs.TransitionAsync(runId, RunState.Closed, Actor.Scheduler, now, reason);
            _log.LogInformation("Run {RunId} of window \"{Window}\" closed ({Reason})", runId, windowName, reason);
        }

        await _triggers.RemoveAsync(runId, CancellationToken.None);
    }
}
