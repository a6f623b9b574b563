using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Polling;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Scans;

/// <summary>Starts each queued scan with <c>/bin/sh -c ScanCommand</c>.</summary>
internal sealed class ScanRunner(
    IOptions<AgentOptions> options, ScanQueue queue, AgentStatus status, TimeProvider time, ILogger<ScanRunner> logger)
    : ScanLoop(queue, status, options.Value.ScanTimeout, time, logger)
{
    private readonly string scanCommand = options.Value.ScanCommand;

    protected override async Task<(string Outcome, int? ExitCode)> ScanAsync(ScanRequestV1 request, TimeSpan timeout, CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(scanCommand))
        {
            Logger.LogWarning("Scan {ScanId} requested but Agent:ScanCommand is empty", request.ScanId);
            return (Failed, null);
        }

        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(scanCommand);
        startInfo.Environment["ORCHESTRATOR_SCAN_ID"] = request.ScanId;
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            Logger.LogError("Scan {ScanId} could not start /bin/sh: {Message}", request.ScanId, ex.Message);
            return (Failed, null);
        }

        using var timer = new CancellationTokenSource(timeout, Time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, stoppingToken);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            stoppingToken.ThrowIfCancellationRequested();
            return (TimedOut, null);
        }

        return (process.ExitCode == 0 ? Succeeded : Failed, process.ExitCode);
    }
}
