using Orchestrator.Agent.Windows.State;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>
/// The value each of <see cref="PolicyRegistry.WindowValues"/> must have now: the window's setting while it is open,
/// otherwise what the takeover record says the endpoint had (absent = removed). A value the record does not know
/// (recorded by an older agent, or no record yet) is removed when the window does not set it.
/// </summary>
internal static class WindowPolicyValues
{
    /// <summary>Name → DWORD value to write, or null to remove; in <see cref="PolicyRegistry.WindowValues"/> order.</summary>
    public static IReadOnlyList<(string Name, PolicyValueState? Restore, long? Write)> For(DeliveryOptimizationSettingsV1? window, HostSnapshot? recorded)
    {
        var wanted = Wanted(window);
        return PolicyRegistry.WindowValues
            .Select(name => (name, recorded?.PolicyValues.FirstOrDefault(v => v.Name == name) is { Exists: true } before ? before : null, wanted.GetValueOrDefault(name)))
            .ToList();
    }

    private static Dictionary<string, long?> Wanted(DeliveryOptimizationSettingsV1? s) => s is null
        ? []
        : new()
        {
            ["DOMaxForegroundDownloadBandwidth"] = s.MaxForegroundBandwidthKBps,
            ["DOMaxBackgroundDownloadBandwidth"] = s.MaxBackgroundBandwidthKBps,
            ["DOPercentageMaxForegroundBandwidth"] = s.MaxForegroundBandwidthPercent,
            ["DOPercentageMaxBackgroundBandwidth"] = s.MaxBackgroundBandwidthPercent,
            ["DOMinFileSizeToCache"] = s.MinFileSizeToCacheMB,
            ["DOMinRAMAllowedToPeer"] = s.MinRamToPeerGB,
            ["DOMinDiskSizeAllowedToPeer"] = s.MinDiskSizeToPeerGB,
            ["DOMinBatteryPercentageAllowedToUpload"] = s.MinBatteryPercentToUpload,
            ["DORestrictPeerSelectionBy"] = s.RestrictPeerSelectionBy switch
            {
                null => null,
                PeerSelectionV1.None => 0,
                PeerSelectionV1.Subnet => 1,
                var other => throw new InvalidOperationException(
                    $"Delivery Optimization restrictPeerSelectionBy '{other}' is not supported; expected {string.Join(" or ", PeerSelectionV1.All)}."),
            },
        };
}
