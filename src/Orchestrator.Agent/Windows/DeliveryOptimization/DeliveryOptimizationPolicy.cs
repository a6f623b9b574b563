using Orchestrator.Agent.Enforcement;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>Writes the Delivery Optimization download mode (and group id) for the desired state. Writing the same
/// settings again writes the same values: idempotent, and it repairs a value someone else changed meanwhile.</summary>
internal sealed class DeliveryOptimizationPolicy(
    ICommandRunner runner, PowerShell powerShell, TimeSpan commandTimeout, TimeProvider time, ILogger<DeliveryOptimizationPolicy> logger) : IPeeringPolicy
{
    /// <summary>Throws <see cref="InvalidOperationException"/> when the settings are refused or the write failed.</summary>
    public async Task ApplyAsync(DeliveryOptimizationV1? settings, CancellationToken cancellationToken)
    {
        var script = DeliveryOptimizationScripts.Apply(settings);
        CommandResult result;
        try
        {
            result = await runner.RunAsync(powerShell.Script(script), commandTimeout, time, cancellationToken);
        }
        catch (Exception ex) when (ex is CommandUnavailableException or TimeoutException)
        {
            throw new InvalidOperationException($"Delivery Optimization policy not written: {ex.Message}", ex);
        }

        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Delivery Optimization policy not written ({result.Describe()}).");
        }

        logger.LogInformation("Delivery Optimization policy: {Mode} {GroupId}", settings?.Mode ?? PeeringModeV1.HttpOnly, settings?.GroupId);
    }
}
