namespace Orchestrator.Core.Schedules;

public enum SkipReason
{
    Blackout,
}

/// <summary>
/// One start of a window. <see cref="Key"/> identifies it for ever (a window never has two runs with the
/// same key): the nominal local date-time after the day offset, before DST resolution.
/// </summary>
/// <param name="NominalLocal">Local wall-clock start the schedule asked for (after OffsetDays).</param>
/// <param name="LocalStart">Actual local start with the zone's UTC offset at that instant.</param>
/// <param name="StartUtc">Actual start.</param>
/// <param name="EndUtc">StartUtc + Duration (elapsed time).</param>
/// <param name="Skipped">Set when the occurrence is recorded but does not open.</param>
public sealed record Occurrence(
    DateTime NominalLocal,
    DateTimeOffset LocalStart,
    DateTimeOffset StartUtc,
    DateTimeOffset EndUtc,
    SkipReason? Skipped)
{
    public string Key => NominalLocal.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
