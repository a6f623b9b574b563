using Orchestrator.Agent.Windows.Commands;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>Takes one absolute <see cref="DeliveryOptimizationStatistics"/> reading. Not on the report path yet:
/// protocol v1 has no field for HTTP-versus-peer bytes (docs/windows-agent.md proposes one).</summary>
internal sealed class DeliveryOptimizationStatisticsReader(
    ICommandRunner runner, PowerShell powerShell, TimeSpan commandTimeout, TimeProvider time)
{
    /// <summary>Throws <see cref="InvalidOperationException"/> when either cmdlet fails.</summary>
    public async Task<DeliveryOptimizationStatistics> ReadAsync(CancellationToken cancellationToken)
    {
        var status = await RunAsync(DeliveryOptimizationScripts.Status, "Get-DeliveryOptimizationStatus", cancellationToken);
        var connections = await RunAsync(DeliveryOptimizationScripts.Connections, "Get-DeliveryOptimizationLogAnalysis", cancellationToken);
        return DeliveryOptimizationStatistics.From(
            DeliveryOptimizationStatusParser.Parse(status), ConnectionListParser.Parse(connections));
    }

    private async Task<string> RunAsync(string script, string what, CancellationToken cancellationToken)
    {
        try
        {
            var result = await runner.RunAsync(powerShell.Script(script), commandTimeout, time, cancellationToken);
            return result.Succeeded ? result.StandardOutput : throw new InvalidOperationException($"{what} failed ({result.Describe()}).");
        }
        catch (Exception ex) when (ex is CommandUnavailableException or TimeoutException)
        {
            throw new InvalidOperationException($"{what} failed: {ex.Message}", ex);
        }
    }
}
