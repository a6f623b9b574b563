using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Windows;

namespace Orchestrator.Server.Windows;

/// <summary>
/// A window as the API and config files spell it. Durations are ISO-8601 (PT4H), dates yyyy-MM-dd, <c>at</c> a local
/// date-time without offset (it is read in <c>timeZone</c>), notBefore/notAfter instants with an offset.
/// </summary>
public sealed record WindowRequest(
    string? Name,
    string? Description,
    string? Cron,
    string? At,
    string? TimeZone,
    int? OffsetDays,
    string? Duration,
    string? Cutoff,
    IReadOnlyList<string>? BlackoutDates,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    IReadOnlyList<string>? Groups,
    IReadOnlyList<PortRequest>? Ports,
    ScanRequest? Scan,
    string? Peering,
    bool? Enabled,
    Orchestrator.Core.Windows.HooksFields? Hooks = null,
    DeliveryOptimizationFields? DeliveryOptimization = null);

public sealed record PortRequest(int? Port, string? Protocol);

/// <summary><c>maxConcurrency</c> is a count (10) or a percentage ("25%").</summary>
public sealed record ScanRequest(bool? Enabled, JsonElement? MaxConcurrency, int? MaxErrors);

public sealed record WindowResponse(
    long Id,
    int Revision,
    string Name,
    string? Description,
    string? Cron,
    string? At,
    string TimeZone,
    int OffsetDays,
    string Duration,
    string Cutoff,
    IReadOnlyList<string> BlackoutDates,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    IReadOnlyList<string> Groups,
    IReadOnlyList<PortResponse> Ports,
    ScanResponse Scan,
    string Peering,
    bool Enabled,
    OccurrenceResponse? NextOccurrence,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    Orchestrator.Core.Windows.HooksFields? Hooks = null,
    // Absent when the window sets no Delivery Optimization settings beyond peering.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeliveryOptimizationFields? DeliveryOptimization = null);

public sealed record PortResponse(int Port, string Protocol);

public sealed record ScanResponse(bool Enabled, string MaxConcurrency, int? MaxErrors);

/// <param name="LocalStart">Local start with its UTC offset, e.g. 2027-03-09T22:00:00+01:00.</param>
public sealed record OccurrenceResponse(
    string Key, DateTimeOffset LocalStart, string UtcOffset, DateTimeOffset StartUtc, DateTimeOffset EndUtc, bool Skipped, string? SkipReason);

/// <param name="Cutoff">ISO-8601, 0 up to the duration: no new scans in the run's last part. Absent: the window's cutoff,
/// which may be as long as (or longer than) a short ad-hoc run and then leaves no time for scans.</param>
public sealed record AdHocRunRequest(string? Duration, string? Cutoff = null);
