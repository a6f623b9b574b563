namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>The Delivery Optimization policy values the agent manages (the same ones Group Policy and Intune write).</summary>
internal static class PolicyRegistry
{
    public const string Key = @"HKLM:\SOFTWARE\Policies\Microsoft\Windows\DeliveryOptimization";

    /// <summary>The window's other settings (DWORDs), written at open and put back to their recorded values at close.
    /// DORestrictPeerSelectionBy is among them also to record it: a Group Policy value there silently stops peering
    /// across subnets.</summary>
    public static IReadOnlyList<string> WindowValues { get; } =
    [
        "DOMaxForegroundDownloadBandwidth", "DOMaxBackgroundDownloadBandwidth", "DOPercentageMaxForegroundBandwidth",
        "DOPercentageMaxBackgroundBandwidth", "DOMinFileSizeToCache", "DOMinRAMAllowedToPeer", "DOMinDiskSizeAllowedToPeer",
        "DOMinBatteryPercentageAllowedToUpload", "DORestrictPeerSelectionBy",
    ];

    /// <summary>DODownloadMode: 0 HTTP only, 1 LAN, 2 Group. DOGroupId: a GUID, used in Group mode. DOGroupIdSource is
    /// removed while the agent manages the endpoint, because a configured source would override the window's group.
    /// Then <see cref="WindowValues"/>. All are recorded before the first change and restored at uninstall.</summary>
    public static IReadOnlyList<string> ManagedValues { get; } = ["DODownloadMode", "DOGroupId", "DOGroupIdSource", .. WindowValues];
}
