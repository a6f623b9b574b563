using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Scans;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Runs;

namespace Orchestrator.Server.Scans;

/// <summary>
/// Hands a run's scans out in waves: as many members as the concurrency limit leaves room for, then a look again
/// after the wave interval, until the cutoff, the run's end, failures beyond maxErrors, or nothing left to scan.
/// One Hangfire job per run runs this loop (earlier, every wave was a job of its own, which buried Open and Close in
/// the dashboard under a new "Dispatch scans" every few seconds).
/// </summary>
internal sealed class ScanDispatcher(
    IRunStore runs,
    IScanStore scans,
    IAuditLog audit,
    DesiredStateNotifier notifier,
    TimeProvider time,
    IOptions<OrchestratorOptions> options,
    ILogger<ScanDispatcher> log)
{
    /// <summary>The Hangfire queue of the dispatch jobs, served by workers of its own
    /// (<see cref="OrchestratorOptions.ScanDispatchWorkers"/>): a loop waits there for most of a run.</summary>
    public const string Queue = "scans";

    /// <summary>Runs whose loop is running in this process.</summary>
    private readonly RunsInHand _running = new();

    private readonly OrchestratorOptions _options = options.Value;

    /// <summary>What the loop ended with.</summary>
    public enum Outcome
    {
        /// <summary>Nothing waits and nothing is in flight, or the run passed its cutoff or is no longer open.</summary>
        Done,

        /// <summary>Failures exceeded maxErrors: no more scans go out.</summary>
        Stopped,

        /// <summary>Another execution of the run's loop is running in this process.</summary>
        AlreadyRunning,

        /// <summary>The slice ran out while scans still wait or are in flight: the caller schedules a continuation.</summary>
        SliceOver,
    }

    /// <summary>Dispatches waves until the run needs no more, or for at most <see cref="OrchestratorOptions.ScanDispatchSlice"/>.</summary>
    public async Task<Outcome> RunAsync(long runId, CancellationToken cancellationToken)
    {
        if (!_running.TryTake(runId))
        {
            return Outcome.AlreadyRunning;
        }

        try
        {
            var sliceEnd = time.GetUtcNow() + _options.ScanDispatchSlice;
            while (true)
            {
                var wave = await WaveAsync(runId, cancellationToken);
                if (wave != null)
                {
                    return wave.Value;
                }

                if (time.GetUtcNow() + _options.ScanWaveInterval > sliceEnd)
                {
                    return Outcome.SliceOver;
                }

                await Task.Delay(_options.ScanWaveInterval, time, cancellationToken);
            }
        }
        finally
        {
            _running.Release(runId);
        }
    }

    /// <summary>One wave; null while the loop should look again after the wave interval.</summary>
    private async Task<Outcome?> WaveAsync(long runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await runs.GetAsync(runId, cancellationToken) is not { State: RunState.Open } run || now >= run.CutoffAt || !run.Definition.Scan.Enabled)
        {
            return Outcome.Done;
        }

        var policy = run.Definition.Scan;
        var tally = await scans.TallyAsync(runId, now, TimeSpan.FromSeconds(30), cancellationToken);
        if (policy.MaxErrors is { } maxErrors && tally.Failed > maxErrors)
        {
            await audit.AppendAsync(Actor.Scheduler, "run", runId.ToString(CultureInfo.InvariantCulture), Core.Reports.RunAnomalies.ScanDispatchStoppedAction,
                new { reason = "maxErrors exceeded", tally.Failed, maxErrors }, now, cancellationToken);
            log.LogWarning("Run {RunId}: {Failed} scans failed (maxErrors {MaxErrors}); no more scans are dispatched", runId, tally.Failed, maxErrors);
            return Outcome.Stopped;
        }

        var waiting = await scans.ListUndispatchedAsync(runId, cancellationToken);
        var members = tally.Dispatched + waiting.Count;
        var room = policy.MaxConcurrency.For(members) - tally.InFlight;
        if (room > 0 && waiting.Count > 0)
        {
            var dispatched = await scans.DispatchAsync(runId, waiting.Take(room).ToList(), _options.ScanTimeoutSeconds, now, cancellationToken);
            await notifier.NotifyAsync(dispatched);
        }

        // Look again while anything waits or is in flight: that is also when maxErrors is checked.
        return waiting.Count > 0 || tally.InFlight > 0 ? null : Outcome.Done;
    }
}
