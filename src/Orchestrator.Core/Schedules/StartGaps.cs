namespace Orchestrator.Core.Schedules;

/// <summary>The shortest elapsed time between two consecutive starts of a schedule, with the two starts.</summary>
public sealed record ShortestGap(TimeSpan Gap, DateTimeOffset First, DateTimeOffset Second);

/// <summary>
/// Finds the shortest elapsed time between consecutive starts of a recurring schedule: what decides whether a
/// window overlaps itself (docs/design.md: a run lasts its duration in elapsed time, so run i overlaps run i+1 when
/// start[i] + duration &gt; start[i+1]). Pure and exact: it walks every matching date of the validity period
/// (through 2199), resolving starts by the same DST rule as <see cref="OccurrenceCalculator"/> and with the day
/// offset applied. Blackout dates are ignored: they only remove starts, and a blackout list edited later must not
/// make a schedule overlap.
/// </summary>
/// <remarks>
/// Cost: a date whose zone offset is the same at both ends is handled in constant time (its starts are the cron's
/// times of day at one offset, whose shortest gap is computed once); only the few dates with a DST transition
/// resolve each of their starts. About 84,000 matching dates at most (a daily cron from 1970 to 2199). Once an
/// overlap is found the walk goes on for one more year, for a shorter gap across that year's transitions, then stops.
/// </remarks>
public static class StartGaps
{
    private static readonly DateOnly FirstDate = new(1970, 1, 1);
    private static readonly TimeSpan ZoneReach = TimeSpan.FromHours(14);
    private const int DatesAfterOverlap = 366;

    // A DST date with more starts than this is not walked start by start after an overlap is already known.
    private const int MaxStartsResolvedAfterOverlap = 1_440;

    /// <summary>Null for a one-off schedule or one with fewer than two starts.</summary>
    /// <exception cref="ArgumentException">The schedule has no valid cron or time zone (validate it first).</exception>
    public static ShortestGap? Shortest(WindowSchedule schedule, TimeSpan overlapBelow)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.At is not null)
        {
            return null;
        }

        var zone = ScheduleTimeZone.Find(schedule.TimeZone);
        var cron = CronExpression.TryParse(schedule.Cron, out var parsed, out var error)
            ? parsed
            : throw new ArgumentException($"cron: {error}", nameof(schedule));
        var times = cron.TimesOfDay;
        var (withinDay, withinIndex) = ShortestWithinDay(times);
        var lower = schedule.NotBefore ?? DateTimeOffset.MinValue;
        var upper = schedule.NotAfter ?? DateTimeOffset.MaxValue;
        var from = schedule.NotBefore is { } notBefore
            ? DateOnly.FromDateTime(notBefore.UtcDateTime).AddDays(-Math.Abs(schedule.OffsetDays) - 2)
            : FirstDate;
        if (from < FirstDate)
        {
            from = FirstDate;
        }

        ShortestGap? best = null;
        DateTimeOffset? previous = null;
        var datesAfterOverlap = 0;
        var starts = new List<DateTimeOffset>();
        foreach (var cronDate in cron.MatchingDates(from))
        {
            var date = cronDate.AddDays(schedule.OffsetDays).ToDateTime(TimeOnly.MinValue);
            var overlapKnown = best is not null && best.Gap < overlapBelow;
            if (overlapKnown && ++datesAfterOverlap > DatesAfterOverlap)
            {
                break;
            }

            var before = zone.GetUtcOffset(DateTime.SpecifyKind(date, DateTimeKind.Utc) - ZoneReach);
            var after = zone.GetUtcOffset(DateTime.SpecifyKind(date.AddDays(1), DateTimeKind.Utc) + ZoneReach);
            var first = At(date, times[0], before);
            var last = At(date, times[^1], before);
            if (before == after && first >= lower && last <= upper)
            {
                // No transition on this date: its starts are the times of day at one offset.
                Consider(ref best, previous, first);
                if (times.Count > 1)
                {
                    Consider(ref best, At(date, times[withinIndex], before), At(date, times[withinIndex], before) + withinDay);
                }

                previous = last;
                continue;
            }

            if (first > upper && before == after)
            {
                break;
            }

            if (overlapKnown && times.Count > MaxStartsResolvedAfterOverlap)
            {
                previous = null;
                continue;
            }

            starts.Clear();
            foreach (var time in times)
            {
                var start = DstResolver.Resolve(date + time, zone);
                if ((starts.Count == 0 || start != starts[^1]) && start >= lower && start <= upper)
                {
                    starts.Add(start);
                }
            }

            foreach (var start in starts)
            {
                if (start != previous)
                {
                    Consider(ref best, previous, start);
                    previous = start;
                }
            }

            if (starts.Count == 0 && first > upper)
            {
                break;
            }
        }

        return best;
    }

    private static DateTimeOffset At(DateTime date, TimeSpan time, TimeSpan offset) => new(date + time, offset);

    private static void Consider(ref ShortestGap? best, DateTimeOffset? previous, DateTimeOffset start)
    {
        if (previous is { } p && start > p && (best is null || start - p < best.Gap))
        {
            best = new ShortestGap(start - p, p, start);
        }
    }

    /// <summary>The shortest gap between consecutive times of one day, and the index of its first time.</summary>
    private static (TimeSpan Gap, int Index) ShortestWithinDay(IReadOnlyList<TimeSpan> times)
    {
        var (gap, index) = (TimeSpan.MaxValue, 0);
        for (var i = 1; i < times.Count; i++)
        {
            if (times[i] - times[i - 1] < gap)
            {
                (gap, index) = (times[i] - times[i - 1], i - 1);
            }
        }

        return (gap, index);
    }
}
