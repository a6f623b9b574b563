using Orchestrator.Agent.Enforcement;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.State;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>Writes the Delivery Optimization download mode (and group id) and the window's other settings for the
/// desired state; outside a window the other settings go back to what <paramref name="recorded"/> (the takeover
/// record) says the endpoint had. Writing the same settings again writes the same values: idempotent, and it repairs
/// a value someone else changed meanwhile.</summary>
internal sealed class DeliveryOptimizationPolicy(
    ICommandRunner runner, PowerShell powerShell, TimeSpan commandTimeout, TimeProvider time, ILogger<DeliveryOptimizationPolicy> logger,
    Func<HostSnapshot?>? recorded = null) : IPeeringPolicy
{
    /// <summary>Throws <see cref="InvalidOperationException"/> when the settings are refused or the write failed.</summary>
    public async Task<string?> ApplyAsync(DeliveryOptimizationV1? settings, CancellationToken cancellationToken)
    {
        var script = DeliveryOptimizationScripts.Apply(settings, recorded?.Invoke());
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

        if (result.StandardOutput.Contains(DeliveryOptimizationScripts.RestartedMarker, StringComparison.Ordinal))
        {
            logger.LogWarning("Delivery Optimization took download mode {Mode} only after DoSvc was restarted", settings?.Mode ?? PeeringModeV1.HttpOnly);
        }

        logger.LogInformation("Delivery Optimization policy: {Mode} {GroupId} {Settings}", settings?.Mode ?? PeeringModeV1.HttpOnly, settings?.GroupId, settings?.Settings);
        return null;
    }
}
