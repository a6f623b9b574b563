namespace Orchestrator.Core.Schedules;

/// <summary>Computes a window's occurrences. Pure: no clock, no I/O.</summary>
public static class OccurrenceCalculator
{
    // Negative offsets pull nominal dates back; start the base cron this much earlier so none is lost.
    private const int SafetyDays = 2;

    /// <summary>
    /// Occurrences whose <see cref="Occurrence.StartUtc"/> is at or after <paramref name="fromUtc"/>, in start
    /// order, skipped ones included, ending after NotAfter (or the one-off start). OffsetDays applies to a one-off
    /// <see cref="WindowSchedule.At"/> as to every recurring start.
    /// </summary>
    /// <exception cref="ArgumentException">The schedule has no valid cron/at or an unknown time zone.</exception>
    public static IEnumerable<Occurrence> From(WindowSchedule schedule, DateTimeOffset fromUtc)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var zone = ScheduleTimeZone.Find(schedule.TimeZone);
        var nominals = NominalTimes(schedule, zone, fromUtc);
        var earliest = schedule.NotBefore is { } notBefore && notBefore > fromUtc ? notBefore : fromUtc;
        return Resolve(schedule, zone, nominals, earliest);
    }

    private static IEnumerable<DateTime> NominalTimes(WindowSchedule schedule, TimeZoneInfo zone, DateTimeOffset fromUtc)
    {
        var offset = schedule.OffsetDays;
        if (schedule.At is { } at)
        {
            return [DateTime.SpecifyKind(at, DateTimeKind.Unspecified).AddDays(offset)];
        }

        var cron = CronExpression.TryParse(schedule.Cron, out var parsed, out var error)
            ? parsed
            : throw new ArgumentException($"cron: {error}", nameof(schedule));
        var baseFrom = fromUtc.UtcDateTime.Year <= 1970
            ? DateTime.MinValue
            : TimeZoneInfo.ConvertTimeFromUtc(fromUtc.UtcDateTime, zone).AddDays(-Math.Abs(offset) - SafetyDays);
        return cron.LocalTimesFrom(baseFrom).Select(local => local.AddDays(offset));
    }

    private static IEnumerable<Occurrence> Resolve(
        WindowSchedule schedule, TimeZoneInfo zone, IEnumerable<DateTime> nominals, DateTimeOffset earliest)
    {
        var blackouts = schedule.BlackoutDates.ToHashSet();
        DateTimeOffset? previous = null;
        foreach (var nominal in nominals)
        {
            // Nominal times ascend and resolution never reorders them, so equal instants are neighbours.
            var localStart = DstResolver.Resolve(nominal, zone);
            if (localStart == previous)
            {
                continue;
            }

            previous = localStart;
            if (localStart > schedule.NotAfter)
            {
                yield break;
            }

            if (localStart < earliest)
            {
                continue;
            }

            var startUtc = localStart.ToUniversalTime();
            var skipped = blackouts.Contains(DateOnly.FromDateTime(localStart.DateTime)) ? SkipReason.Blackout : (SkipReason?)null;
            yield return new Occurrence(nominal, localStart, startUtc, startUtc + schedule.Duration, skipped);
        }
    }
}
