using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>The endpoint's Delivery Optimization setting: HTTP only outside windows, LAN or Group peering inside, plus
/// the window's other Delivery Optimization settings.</summary>
internal interface IPeeringPolicy
{
    /// <summary>Returns a note for the report when part of <paramref name="settings"/> does not apply here (null when
    /// everything applied); throws <see cref="InvalidOperationException"/> when the policy could not be written.</summary>
    Task<string?> ApplyAsync(DeliveryOptimizationV1? settings, CancellationToken cancellationToken);
}

/// <summary>Linux endpoints have no Delivery Optimization client: the firewall is all there is to apply. A window's
/// Delivery Optimization settings are accepted and reported as not applicable; the opening itself is unaffected.</summary>
internal sealed class NoPeeringPolicy : IPeeringPolicy
{
    public const string NotApplicable =
        "Delivery Optimization settings not applicable on this endpoint (no Delivery Optimization client); ignored, the openings are in force";

    public Task<string?> ApplyAsync(DeliveryOptimizationV1? settings, CancellationToken cancellationToken) =>
        Task.FromResult(settings?.Settings is null ? null : NotApplicable);
}
