using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.Scans;

/// <summary>Runs queued scans one at a time with the configured <see cref="WindowsScanMethod"/> and records each
/// outcome exactly as the Linux <see cref="ScanRunner"/> does (Succeeded / Failed / TimedOut, exit code, duration).</summary>
internal sealed class WindowsScanRunner(
    ICommandRunner runner,
    WindowsCommand scanCommand,
    TimeSpan scanTimeout,
    ScanQueue queue,
    AgentStatus status,
    TimeProvider time,
    ILogger<WindowsScanRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var request in queue.Reader.ReadAllAsync(stoppingToken))
            {
                var outcome = await RunAsync(request, stoppingToken);
                logger.LogInformation("Scan {ScanId} of run {RunId}: {Outcome} (exit {ExitCode}) in {Ms} ms",
                    request.ScanId, request.RunId, outcome.Outcome, outcome.ExitCode, outcome.DurationMs);
                status.ScanFinished(outcome);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: a scan cut short is not reported; its id stays claimed (at most once).
        }
    }

    public async Task<ScanOutcomeV1> RunAsync(ScanRequestV1 request, CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        long Elapsed() => (long)time.GetElapsedTime(started).TotalMilliseconds;
        var timeout = request.TimeoutSeconds > 0 && TimeSpan.FromSeconds(request.TimeoutSeconds) < scanTimeout
            ? TimeSpan.FromSeconds(request.TimeoutSeconds)
            : scanTimeout;

        try
        {
            var result = await runner.RunAsync(scanCommand, timeout, time, stoppingToken);
            if (!result.Succeeded)
            {
                logger.LogWarning("Scan {ScanId} failed: {Output} {Error}", request.ScanId, result.StandardOutput.Trim(), result.StandardError.Trim());
            }

            return new ScanOutcomeV1(request.ScanId, result.Succeeded ? ScanRunner.Succeeded : ScanRunner.Failed, result.ExitCode, Elapsed());
        }
        catch (TimeoutException)
        {
            return new ScanOutcomeV1(request.ScanId, ScanRunner.TimedOut, null, Elapsed());
        }
        catch (CommandUnavailableException ex)
        {
            logger.LogError("Scan {ScanId} could not start: {Message}", request.ScanId, ex.Message);
            return new ScanOutcomeV1(request.ScanId, ScanRunner.Failed, null, Elapsed());
        }
    }
}
