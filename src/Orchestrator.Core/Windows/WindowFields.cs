namespace Orchestrator.Core.Windows;

/// <summary>
/// A window as the API and config files spell it, before anything is read: durations ISO-8601 (PT4H), dates yyyy-MM-dd,
/// <c>at</c> a local date-time without offset. Every field may be absent; <see cref="WindowSpelling"/> decides the defaults.
/// </summary>
public sealed record WindowFields
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? Cron { get; init; }

    public string? At { get; init; }

    public string? TimeZone { get; init; }

    public int? OffsetDays { get; init; }

    public string? Duration { get; init; }

    public string? Cutoff { get; init; }

    /// <summary>An entry may be null when the sender wrote null; it is reported as not a date.</summary>
    public IReadOnlyList<string?>? BlackoutDates { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }

    public IReadOnlyList<string>? Groups { get; init; }

    public IReadOnlyList<PortFields>? Ports { get; init; }

    public ScanFields? Scan { get; init; }

    public string? Peering { get; init; }

    public DeliveryOptimizationFields? DeliveryOptimization { get; init; }

    public bool? Enabled { get; init; }

    public HooksFields? Hooks { get; init; }
}

/// <summary>One entry of <c>ports</c>; an entry written as null is passed as both values null.</summary>
public sealed record PortFields(int? Port, string? Protocol);

/// <param name="MaxConcurrency">A count ("10") or a percentage ("25%") as text; null when absent.</param>
/// <param name="MaxConcurrencyAsWritten">The value as the sender wrote it, quoted back in the error (JSON keeps a
/// string's quotes: <c>"abc"</c>); null quotes <paramref name="MaxConcurrency"/>.</param>
public sealed record ScanFields(bool? Enabled, string? MaxConcurrency, int? MaxErrors, string? MaxConcurrencyAsWritten = null);

/// <summary><c>deliveryOptimization</c>: numbers as written; <see cref="RestrictPeerSelectionBy"/> none or subnet.</summary>
public sealed record DeliveryOptimizationFields(
    long? MaxForegroundBandwidthKBps = null,
    long? MaxBackgroundBandwidthKBps = null,
    long? MaxForegroundBandwidthPercent = null,
    long? MaxBackgroundBandwidthPercent = null,
    long? MinFileSizeToCacheMB = null,
    long? MinRamToPeerGB = null,
    long? MinDiskSizeToPeerGB = null,
    long? MinBatteryPercentToUpload = null,
    string? RestrictPeerSelectionBy = null);
