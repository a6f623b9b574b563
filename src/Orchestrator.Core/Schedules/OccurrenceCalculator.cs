namespace Orchestrator.Core.Schedules;

/// <summary>Computes a window's occurrences. Pure: no clock, no I/O.</summary>
public static class OccurrenceCalculator
{
    /// <summary>
    /// Occurrences whose <see cref="Occurrence.StartUtc"/> is at or after <paramref name="fromUtc"/>, in start
    /// order, skipped ones included, ending after NotAfter (or the one-off start).
    /// </summary>
    public static IEnumerable<Occurrence> From(WindowSchedule schedule, DateTimeOffset fromUtc)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        throw new NotImplementedException("schedule engine pending");
    }
}
