using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>The endpoint's Delivery Optimization setting: HTTP only outside windows, LAN or Group peering inside.</summary>
internal interface IPeeringPolicy
{
    Task ApplyAsync(DeliveryOptimizationV1? settings, CancellationToken cancellationToken);
}

/// <summary>Linux endpoints have no Delivery Optimization client: the firewall is all there is to apply.</summary>
internal sealed class NoPeeringPolicy : IPeeringPolicy
{
    public Task ApplyAsync(DeliveryOptimizationV1? settings, CancellationToken cancellationToken) => Task.CompletedTask;
}
