namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>The Delivery Optimization policy values the agent manages (the same ones Group Policy and Intune write).</summary>
internal static class PolicyRegistry
{
    public const string Key = @"HKLM:\SOFTWARE\Policies\Microsoft\Windows\DeliveryOptimization";

    /// <summary>DODownloadMode: 0 HTTP only, 1 LAN, 2 Group. DOGroupId: a GUID, used in Group mode. DOGroupIdSource is
    /// removed while the agent manages the endpoint, because a configured source would override the window's group.</summary>
    public static IReadOnlyList<string> ManagedValues { get; } = ["DODownloadMode", "DOGroupId", "DOGroupIdSource"];
}
