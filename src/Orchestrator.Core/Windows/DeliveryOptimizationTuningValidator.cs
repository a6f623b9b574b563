namespace Orchestrator.Core.Windows;

/// <summary>Checks a window's Delivery Optimization settings against the ranges Microsoft documents for each policy
/// (Policy CSP DeliveryOptimization); an agent would otherwise write a value Delivery Optimization silently ignores.</summary>
public static class DeliveryOptimizationTuningValidator
{
    public const long MaxBandwidthKBps = uint.MaxValue;
    public const int MaxSizeSetting = 100_000;

    private const string Prefix = "deliveryOptimization.";

    public static void Validate(DeliveryOptimizationTuning? tuning, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (tuning is null)
        {
            return;
        }

        Range(tuning.MaxForegroundBandwidthKBps, 0, MaxBandwidthKBps, "maxForegroundBandwidthKBps", "KB/s, 0 = unlimited", errors);
        Range(tuning.MaxBackgroundBandwidthKBps, 0, MaxBandwidthKBps, "maxBackgroundBandwidthKBps", "KB/s, 0 = unlimited", errors);
        Range(tuning.MaxForegroundBandwidthPercent, 0, 100, "maxForegroundBandwidthPercent", "percent, 0 = unlimited", errors);
        Range(tuning.MaxBackgroundBandwidthPercent, 0, 100, "maxBackgroundBandwidthPercent", "percent, 0 = unlimited", errors);
        Range(tuning.MinFileSizeToCacheMB, 1, MaxSizeSetting, "minFileSizeToCacheMB", "MB", errors);
        Range(tuning.MinRamToPeerGB, 1, MaxSizeSetting, "minRamToPeerGB", "GB", errors);
        Range(tuning.MinDiskSizeToPeerGB, 1, MaxSizeSetting, "minDiskSizeToPeerGB", "GB", errors);
        Range(tuning.MinBatteryPercentToUpload, 0, 100, "minBatteryPercentToUpload", "percent", errors);

        // Both caps of one direction would leave which one Delivery Optimization obeys to the endpoint's version.
        if (tuning is { MaxForegroundBandwidthKBps: not null, MaxForegroundBandwidthPercent: not null })
        {
            errors.Add(new(Prefix + "maxForegroundBandwidthPercent", "set either maxForegroundBandwidthKBps or maxForegroundBandwidthPercent, not both"));
        }

        if (tuning is { MaxBackgroundBandwidthKBps: not null, MaxBackgroundBandwidthPercent: not null })
        {
            errors.Add(new(Prefix + "maxBackgroundBandwidthPercent", "set either maxBackgroundBandwidthKBps or maxBackgroundBandwidthPercent, not both"));
        }

        if (tuning.RestrictPeerSelectionBy is { } restriction && !Enum.IsDefined(restriction))
        {
            errors.Add(new(Prefix + "restrictPeerSelectionBy", "accepted: none or subnet"));
        }
    }

    private static void Range(long? value, long min, long max, string field, string unit, List<FieldError> errors)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors.Add(new(Prefix + field, $"{v} is out of range; accepted {min}-{max} ({unit})"));
        }
    }
}
