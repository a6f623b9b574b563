using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Polling;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Scans;

/// <summary>Runs queued scans one at a time with <c>/bin/sh -c ScanCommand</c> and records each outcome.</summary>
internal sealed class ScanRunner(
    IOptions<AgentOptions> options, ScanQueue queue, AgentStatus status, TimeProvider time, ILogger<ScanRunner> logger)
    : BackgroundService
{
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string TimedOut = "TimedOut";

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
        var agent = options.Value;
        var started = time.GetTimestamp();
        long Elapsed() => (long)time.GetElapsedTime(started).TotalMilliseconds;

        if (string.IsNullOrWhiteSpace(agent.ScanCommand))
        {
            logger.LogWarning("Scan {ScanId} requested but Agent:ScanCommand is empty", request.ScanId);
            return new ScanOutcomeV1(request.ScanId, Failed, null, 0);
        }

        var timeout = request.TimeoutSeconds > 0 && TimeSpan.FromSeconds(request.TimeoutSeconds) < agent.ScanTimeout
            ? TimeSpan.FromSeconds(request.TimeoutSeconds)
            : agent.ScanTimeout;

        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(agent.ScanCommand);
        startInfo.Environment["ORCHESTRATOR_SCAN_ID"] = request.ScanId;
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            logger.LogError("Scan {ScanId} could not start /bin/sh: {Message}", request.ScanId, ex.Message);
            return new ScanOutcomeV1(request.ScanId, Failed, null, Elapsed());
        }

        using var timer = new CancellationTokenSource(timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, stoppingToken);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            stoppingToken.ThrowIfCancellationRequested();
            return new ScanOutcomeV1(request.ScanId, TimedOut, null, Elapsed());
        }

        return new ScanOutcomeV1(request.ScanId, process.ExitCode == 0 ? Succeeded : Failed, process.ExitCode, Elapsed());
    }
}
