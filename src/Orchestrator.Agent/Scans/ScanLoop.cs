using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Polling;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Scans;

/// <summary>
/// Runs queued scans one at a time and records each outcome (Succeeded / Failed / TimedOut, exit code, duration) the
/// same way on every OS; a subclass says only how its OS starts a scan (<see cref="ScanAsync"/>).
/// </summary>
internal abstract class ScanLoop : BackgroundService
{
    public const string Succeeded = ScanOutcomeNameV1.Succeeded;
    public const string Failed = ScanOutcomeNameV1.Failed;
    public const string TimedOut = ScanOutcomeNameV1.TimedOut;

    private readonly ScanQueue queue;
    private readonly AgentStatus status;
    private readonly TimeSpan scanTimeout;

    protected ScanLoop(ScanQueue queue, AgentStatus status, TimeSpan scanTimeout, TimeProvider time, ILogger logger)
    {
        this.queue = queue;
        this.status = status;
        this.scanTimeout = scanTimeout;
        Time = time;
        Logger = logger;
    }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    public async Task<ScanOutcomeV1> RunAsync(ScanRequestV1 request, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Time.GetTimestamp();
        var timeout = request.TimeoutSeconds > 0 && TimeSpan.FromSeconds(request.TimeoutSeconds) < scanTimeout
            ? TimeSpan.FromSeconds(request.TimeoutSeconds)
            : scanTimeout;
        var (outcome, exitCode) = await ScanAsync(request, timeout, stoppingToken);
        return new ScanOutcomeV1(request.ScanId, outcome, exitCode, (long)Time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Runs one scan for at most <paramref name="timeout"/>: its outcome, and its exit code when it ran to the end.
    /// Throws <see cref="OperationCanceledException"/> only when the agent stops.</summary>
    protected abstract Task<(string Outcome, int? ExitCode)> ScanAsync(ScanRequestV1 request, TimeSpan timeout, CancellationToken stoppingToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var request in queue.Reader.ReadAllAsync(stoppingToken))
            {
                var outcome = await RunAsync(request, stoppingToken);
                Logger.LogInformation("Scan {ScanId} of run {RunId}: {Outcome} (exit {ExitCode}) in {Ms} ms",
                    request.ScanId, request.RunId, outcome.Outcome, outcome.ExitCode, outcome.DurationMs);
                status.ScanFinished(outcome);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: a scan cut short is not reported; its id stays claimed (at most once).
        }
    }
}
