using System.Text.Json;
using Orchestrator.Agent.Windows.Commands;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>Runs the Delivery Optimization statistics cmdlets and parses their output. Every method throws
/// <see cref="InvalidOperationException"/> when the cmdlet fails or prints something that is not JSON.</summary>
internal sealed class DeliveryOptimizationStatisticsReader(
    ICommandRunner runner, PowerShell powerShell, TimeSpan commandTimeout, TimeProvider time)
{
    /// <summary>The files Delivery Optimization currently knows, with their bytes by source.</summary>
    public async Task<IReadOnlyList<CachedFileStatus>> ReadFilesAsync(CancellationToken cancellationToken) =>
        Parse(await RunAsync(DeliveryOptimizationScripts.Status, "Get-DeliveryOptimizationStatus", cancellationToken),
            DeliveryOptimizationStatusParser.Parse, "Get-DeliveryOptimizationStatus");

    /// <summary>The live peer connections of the current jobs (<c>-PeerInfo</c>).</summary>
    public async Task<IReadOnlyList<PeerConnection>> ReadLivePeersAsync(CancellationToken cancellationToken) =>
        Parse(await RunAsync(DeliveryOptimizationScripts.PeerInfo, "Get-DeliveryOptimizationStatus -PeerInfo", cancellationToken),
            ConnectionListParser.Parse, "Get-DeliveryOptimizationStatus -PeerInfo");

    /// <summary>The connection log (<c>Get-DeliveryOptimizationLogAnalysis -ListConnections</c>; slow on a large log).</summary>
    public async Task<IReadOnlyList<PeerConnection>> ReadConnectionLogAsync(CancellationToken cancellationToken) =>
        Parse(await RunAsync(DeliveryOptimizationScripts.Connections, "Get-DeliveryOptimizationLogAnalysis", cancellationToken),
            ConnectionListParser.Parse, "Get-DeliveryOptimizationLogAnalysis");

    private static T Parse<T>(string output, Func<string, T> parse, string what)
    {
        try
        {
            return parse(output);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{what} printed no readable JSON: {ex.Message}", ex);
        }
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
