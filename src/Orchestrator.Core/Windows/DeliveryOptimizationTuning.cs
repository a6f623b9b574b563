namespace Orchestrator.Core.Windows;

/// <summary>
/// Delivery Optimization settings a window applies on its Windows members for its duration, on top of the download
/// mode and group id (<see cref="WindowDefinition.Peering"/>). Each null value is left as the endpoint had it before
/// the agent took it over. Units and ranges are Microsoft's (Policy CSP DeliveryOptimization), see
/// <see cref="DeliveryOptimizationTuningValidator"/>.
/// </summary>
public sealed record DeliveryOptimizationTuning
{
    /// <summary>DOMaxForegroundDownloadBandwidth, KB/s; 0 = unlimited (dynamic).</summary>
    public long? MaxForegroundBandwidthKBps { get; init; }

    /// <summary>DOMaxBackgroundDownloadBandwidth, KB/s; 0 = unlimited (dynamic).</summary>
    public long? MaxBackgroundBandwidthKBps { get; init; }

    /// <summary>DOPercentageMaxForegroundBandwidth, % of the available download bandwidth; 0 = unlimited (dynamic).</summary>
    public long? MaxForegroundBandwidthPercent { get; init; }

    /// <summary>DOPercentageMaxBackgroundBandwidth, % of the available download bandwidth; 0 = unlimited (dynamic).</summary>
    public long? MaxBackgroundBandwidthPercent { get; init; }

    /// <summary>DOMinFileSizeToCache, MB: smaller files are not peered.</summary>
    public long? MinFileSizeToCacheMB { get; init; }

    /// <summary>DOMinRAMAllowedToPeer, GB of RAM a device needs to peer.</summary>
    public long? MinRamToPeerGB { get; init; }

    /// <summary>DOMinDiskSizeAllowedToPeer, GB of disk a device needs to peer.</summary>
    public long? MinDiskSizeToPeerGB { get; init; }

    /// <summary>DOMinBatteryPercentageAllowedToUpload: on battery, upload to peers only above this charge; 0 = the default.</summary>
    public long? MinBatteryPercentToUpload { get; init; }

    /// <summary>DORestrictPeerSelectionBy.</summary>
    public PeerSelectionRestriction? RestrictPeerSelectionBy { get; init; }

    public bool IsEmpty => this == new DeliveryOptimizationTuning();
}

/// <summary>DORestrictPeerSelectionBy: 0 = none (peers across subnets within the download mode's scope), 1 = subnet mask.
/// (2 = local discovery, Windows 11 only, is not offered: it changes discovery, not a window's reach.)</summary>
public enum PeerSelectionRestriction
{
    None = 0,
    Subnet = 1,
}
