using Orchestrator.Core.Windows;
using Orchestrator.Protocol;

namespace Orchestrator.Server.Windows;

/// <summary>A window's Delivery Optimization settings as the desired state carries them to agents.</summary>
internal static class DeliveryOptimizationSettingsWire
{
    /// <summary>Null when the window sets none, so the desired state is what older servers sent.</summary>
    public static DeliveryOptimizationSettingsV1? From(DeliveryOptimizationTuning? tuning) => tuning is null or { IsEmpty: true }
        ? null
        : new DeliveryOptimizationSettingsV1(
            tuning.MaxForegroundBandwidthKBps,
            tuning.MaxBackgroundBandwidthKBps,
            tuning.MaxForegroundBandwidthPercent,
            tuning.MaxBackgroundBandwidthPercent,
            tuning.MinFileSizeToCacheMB,
            tuning.MinRamToPeerGB,
            tuning.MinDiskSizeToPeerGB,
            tuning.MinBatteryPercentToUpload,
            tuning.RestrictPeerSelectionBy switch
            {
                null => null,
                PeerSelectionRestriction.Subnet => PeerSelectionV1.Subnet,
                _ => PeerSelectionV1.None,
            });
}
