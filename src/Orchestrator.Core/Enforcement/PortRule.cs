namespace Orchestrator.Core.Enforcement;

/// <summary>A port a window opens. Transport is "tcp": validation refuses any other (agents guard TCP ports).</summary>
public sealed record PortRule(int Port, string Transport)
{
    public static readonly PortRule DeliveryOptimization = new(7680, "tcp");

    public override string ToString() => $"{Port}/{Transport}";
}
