using System.Globalization;

namespace Orchestrator.Core.Schedules;

/// <summary>Checks a <see cref="WindowSchedule"/> before it is stored; messages say what would be accepted.</summary>
public static class ScheduleValidator
{
    public const int MaxOffsetDays = 6;

    /// <summary>Shortest window in production; a lab setting may lower it through the overload.</summary>
    public static readonly TimeSpan DefaultMinimumDuration = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaximumDuration = TimeSpan.FromHours(24);

    private static readonly DateTimeOffset Epoch = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<FieldError> Validate(WindowSchedule schedule) => Validate(schedule, DefaultMinimumDuration);

    public static IReadOnlyList<FieldError> Validate(WindowSchedule schedule, TimeSpan minimumDuration)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var errors = new List<FieldError>();
        ValidateStart(schedule, errors);
        if (!ScheduleTimeZone.TryFind(schedule.TimeZone, out _, out var zoneError))
        {
            errors.Add(new("timeZone", zoneError));
        }

        if (Math.Abs(schedule.OffsetDays) > MaxOffsetDays)
        {
            errors.Add(new("offsetDays", $"{Invariant(schedule.OffsetDays)} is out of range; accepted -{MaxOffsetDays} to +{MaxOffsetDays} days"));
        }

        if (schedule.Duration < minimumDuration || schedule.Duration > MaximumDuration)
        {
            errors.Add(new("duration", $"{Describe(schedule.Duration)} is out of range; accepted {Describe(minimumDuration)} to {Describe(MaximumDuration)}"));
        }

        if (schedule.Cutoff < TimeSpan.Zero || schedule.Cutoff > schedule.Duration)
        {
            errors.Add(new("cutoff", $"{Describe(schedule.Cutoff)} is out of range; accepted 0 up to the duration ({Describe(schedule.Duration)})"));
        }

        if (schedule.NotBefore >= schedule.NotAfter)
        {
            errors.Add(new("notAfter", "notAfter must be later than notBefore"));
        }

        if (errors.Count == 0 && !HasAnyOccurrence(schedule))
        {
            errors.Add(NeverStarts(schedule));
        }

        if (errors.Count == 0 && StartGaps.Shortest(schedule, schedule.Duration) is { } gap && gap.Gap < schedule.Duration)
        {
            errors.Add(Overlaps(schedule, gap));
        }

        return errors;
    }

    private static void ValidateStart(WindowSchedule schedule, List<FieldError> errors)
    {
        var hasCron = !string.IsNullOrWhiteSpace(schedule.Cron);
        if (hasCron == schedule.At.HasValue)
        {
            var problem = hasCron ? "both are set" : "neither is set";
            errors.Add(new("cron", $"set exactly one of cron (recurring) or at (one-off); {problem}"));
            errors.Add(new("at", $"set exactly one of cron (recurring) or at (one-off); {problem}"));
            return;
        }

        if (hasCron && !CronExpression.TryParse(schedule.Cron, out _, out var cronError))
        {
            errors.Add(new("cron", cronError));
        }

        if (schedule.At is { Kind: not DateTimeKind.Unspecified })
        {
            errors.Add(new("at", "at is a local date-time read in timeZone; accepted without offset or 'Z' (e.g. 2027-05-01T22:00:00)"));
        }
    }

    private static bool HasAnyOccurrence(WindowSchedule schedule) =>
        OccurrenceCalculator.From(schedule, schedule.NotBefore ?? Epoch).Any();

    private static FieldError NeverStarts(WindowSchedule schedule)
    {
        var bounded = schedule.NotBefore.HasValue || schedule.NotAfter.HasValue;
        if (schedule.At.HasValue)
        {
            return new("at", "the one-off start falls outside notBefore..notAfter; accepted a start within the validity period");
        }

        return new("cron", bounded
            ? "cron never fires between notBefore and notAfter; accepted an expression with at least one start in that period"
            : "cron never fires (e.g. 30 FEB); accepted an expression that matches at least one existing date");
    }

    /// <summary>docs/design.md: a window never overlaps itself; duration is elapsed time, so a DST change can shorten a gap.</summary>
    private static FieldError Overlaps(WindowSchedule schedule, ShortestGap gap) => new("cron",
        $"consecutive starts are as little as {Hours(gap.Gap)} apart ({Instant(gap.First)} then {Instant(gap.Second)}), " +
        $"less than the duration {Hours(schedule.Duration)}, so a run would still be open when the next one starts; " +
        $"accepted a cron whose consecutive starts are at least the duration apart in elapsed time (DST changes included), or a duration of at most {Hours(gap.Gap)}");

    /// <summary>ISO-8601 in hours as users write durations (PT24H, PT23H30M, PT1S), never days.</summary>
    private static string Hours(TimeSpan span)
    {
        var text = new System.Text.StringBuilder("PT");
        if ((int)span.TotalHours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}H");
        }

        if (span.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{span.Minutes}M");
        }

        if (span.Seconds > 0 || text.Length == 2)
        {
            text.Append(CultureInfo.InvariantCulture, $"{span.Seconds}S");
        }

        return text.ToString();
    }

    private static string Instant(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    // ISO-8601 (PT5M), the spelling the API and the files use; TimeSpan's own "00:05:00" is not accepted back.
    private static string Describe(TimeSpan span) => Hours(span);

    private static string Invariant(int value) => value.ToString("+0;-0;0", CultureInfo.InvariantCulture);
}
