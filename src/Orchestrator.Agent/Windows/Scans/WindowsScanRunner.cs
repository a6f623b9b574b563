using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.Scans;

/// <summary>Starts each queued scan with the configured <see cref="WindowsScanMethod"/>'s command.</summary>
internal sealed class WindowsScanRunner(
    ICommandRunner runner,
    WindowsCommand scanCommand,
    TimeSpan scanTimeout,
    ScanQueue queue,
    AgentStatus status,
    TimeProvider time,
    ILogger<WindowsScanRunner> logger) : ScanLoop(queue, status, scanTimeout, time, logger)
{
    protected override async Task<(string Outcome, int? ExitCode)> ScanAsync(ScanRequestV1 request, TimeSpan timeout, CancellationToken stoppingToken)
    {
        try
        {
            var result = await runner.RunAsync(scanCommand, timeout, Time, stoppingToken);
            if (!result.Succeeded)
            {
                Logger.LogWarning("Scan {ScanId} failed: {Output} {Error}", request.ScanId, result.StandardOutput.Trim(), result.StandardError.Trim());
            }

            return (result.Succeeded ? Succeeded : Failed, result.ExitCode);
        }
        catch (TimeoutException)
        {
            return (TimedOut, null);
        }
        catch (CommandUnavailableException ex)
        {
            Logger.LogError("Scan {ScanId} could not start: {Message}", request.ScanId, ex.Message);
            return (Failed, null);
        }
    }
}
