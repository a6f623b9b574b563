namespace Orchestrator.Core.Schedules;

/// <summary>
/// When a maintenance window opens. Exactly one of <see cref="Cron"/> (recurring) or <see cref="At"/>
/// (one-off, local date-time in <see cref="TimeZone"/>) is set. Semantics are fixed by docs/design.md
/// ("Schedule semantics").
/// </summary>
public sealed record WindowSchedule
{
    /// <summary>Quartz cron syntax, seconds first (e.g. <c>0 0 22 ? * TUE#2</c>), evaluated in <see cref="TimeZone"/>.</summary>
    public string? Cron { get; init; }

    /// <summary>A single local start (Kind = Unspecified) for one-off windows.</summary>
    public DateTime? At { get; init; }

    /// <summary>IANA time zone id, e.g. <c>Europe/Berlin</c>.</summary>
    public required string TimeZone { get; init; }

    /// <summary>−6..+6: moves each occurrence's local date by N days, same local time of day.</summary>
    public int OffsetDays { get; init; }

    /// <summary>Elapsed open time, 5 min..24 h.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>0..Duration: no new scans in the last <see cref="Cutoff"/> of a run.</summary>
    public TimeSpan Cutoff { get; init; }

    /// <summary>Local dates on which no occurrence may start (the occurrence is listed as skipped).</summary>
    public IReadOnlyList<DateOnly> BlackoutDates { get; init; } = [];

    /// <summary>No occurrence starts before this instant.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>No occurrence starts after this instant.</summary>
    public DateTimeOffset? NotAfter { get; init; }
}
