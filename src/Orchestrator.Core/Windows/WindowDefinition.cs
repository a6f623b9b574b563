using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Windows;

/// <summary>A maintenance window: when (<see cref="Schedule"/>), who (<see cref="Groups"/>, by name) and what opens.</summary>
public sealed record WindowDefinition
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public required WindowSchedule Schedule { get; init; }

    public required IReadOnlyList<string> Groups { get; init; }

    public IReadOnlyList<PortRule> Ports { get; init; } = [PortRule.DeliveryOptimization];

    public ScanPolicy Scan { get; init; } = ScanPolicy.Default;

    /// <summary>Delivery Optimization download mode inside the window: Lan (1) or Group (2).</summary>
    public PeeringMode Peering { get; init; } = PeeringMode.Group;

    /// <summary>Delivery Optimization settings applied on Windows members for the window's duration; null = none.</summary>
    public DeliveryOptimizationTuning? DeliveryOptimization { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>Pre-open and post-close HTTP hooks; null when the window has none.</summary>
    public WindowHooks? Hooks { get; init; }
}

public enum PeeringMode
{
    Lan = 1,
    Group = 2,
}
