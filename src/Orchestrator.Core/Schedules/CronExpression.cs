using System.Diagnostics.CodeAnalysis;
using Orchestrator.Core.Schedules.Cron;

namespace Orchestrator.Core.Schedules;

/// <summary>
/// A Quartz cron expression (<c>sec min hour day-of-month month day-of-week [year]</c>) evaluated on wall-clock
/// date-times. Which instant a wall-clock time means is the caller's business (see <see cref="DstResolver"/>).
/// </summary>
public sealed class CronExpression
{
    private const string Shape = "sec min hour day-of-month month day-of-week [year]";
    private static readonly DateTime Earliest = new(CronField.Year.Min, 1, 1);

    private readonly CronTimesOfDay timesOfDay;
    private readonly IDayRule days;
    private readonly CronValueSet months;
    private readonly CronValueSet years;
    private IReadOnlyList<TimeSpan>? timesOfDayList;

    private CronExpression(string text, CronTimesOfDay timesOfDay, IDayRule days, CronValueSet months, CronValueSet years)
    {
        Text = text;
        this.timesOfDay = timesOfDay;
        this.days = days;
        this.months = months;
        this.years = years;
    }

    /// <summary>The expression as given.</summary>
    public string Text { get; }

    /// <summary>Parses case-insensitively; on failure <paramref name="error"/> names the field and what it accepts.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out CronExpression? cron, [NotNullWhen(false)] out string? error)
    {
        cron = null;
        var fields = (text ?? "").ToUpperInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (6 or 7))
        {
            error = $"expected 6 or 7 fields, got {fields.Length}; accepted {Shape}";
            return false;
        }

        if (TryParseFields(fields, out var parts) is { } fieldError)
        {
            error = fieldError;
            return false;
        }

        var (times, dayRule, monthSet, yearSet) = parts!.Value;
        error = null;
        cron = new CronExpression(text!.Trim(), times, dayRule, monthSet, yearSet);
        return true;
    }

    /// <exception cref="FormatException">The text is not a valid Quartz cron expression.</exception>
    public static CronExpression Parse(string text) =>
        TryParse(text, out var cron, out var error) ? cron : throw new FormatException($"cron '{text}': {error}");

    /// <summary>
    /// Matching wall-clock date-times (Kind Unspecified, whole seconds) at or after <paramref name="localInclusive"/>,
    /// ascending, ending after the last year the expression allows (2199 at the latest).
    /// </summary>
    public IEnumerable<DateTime> LocalTimesFrom(DateTime localInclusive)
    {
        var start = DateTime.SpecifyKind(localInclusive, DateTimeKind.Unspecified);
        if (start < Earliest)
        {
            start = Earliest;
        }

        if (start.Year > CronField.Year.Max)
        {
            return [];
        }

        var partial = start.Ticks % TimeSpan.TicksPerSecond;
        return Enumerate(partial == 0 ? start : start.AddTicks(TimeSpan.TicksPerSecond - partial));
    }

    public override string ToString() => Text;

    /// <summary>Every time of day the expression fires at on a matching day, ascending (up to 86,400).</summary>
    internal IReadOnlyList<TimeSpan> TimesOfDay => timesOfDayList ??= [.. timesOfDay.From(TimeSpan.Zero)];

    /// <summary>The dates the day, month and year fields match, ascending from <paramref name="from"/> through 2199.</summary>
    internal IEnumerable<DateOnly> MatchingDates(DateOnly from)
    {
        foreach (var year in years.Values.Where(y => y >= from.Year))
        {
            for (var month = year == from.Year ? from.Month : 1; month <= 12; month++)
            {
                if (!months.Contains(month))
                {
                    continue;
                }

                var daysInMonth = DateTime.DaysInMonth(year, month);
                var matching = days.MatchingDays(year, month, daysInMonth);
                for (var day = 1; day <= daysInMonth && matching != 0; day++)
                {
                    var date = new DateOnly(year, month, day);
                    if ((matching & CronCalendar.Bit(day)) != 0 && date >= from)
                    {
                        yield return date;
                    }
                }
            }
        }
    }

    private IEnumerable<DateTime> Enumerate(DateTime start)
    {
        foreach (var year in years.Values)
        {
            if (year < start.Year)
            {
                continue;
            }

            for (var month = year == start.Year ? start.Month : 1; month <= 12; month++)
            {
                if (!months.Contains(month))
                {
                    continue;
                }

                var daysInMonth = DateTime.DaysInMonth(year, month);
                var matching = days.MatchingDays(year, month, daysInMonth);
                for (var day = 1; day <= daysInMonth && matching != 0; day++)
                {
                    if ((matching & CronCalendar.Bit(day)) == 0)
                    {
                        continue;
                    }

                    var date = new DateTime(year, month, day);
                    if (date < start.Date)
                    {
                        continue;
                    }

                    foreach (var time in timesOfDay.From(date == start.Date ? start.TimeOfDay : TimeSpan.Zero))
                    {
                        yield return date + time;
                    }
                }
            }
        }
    }

    private static string? TryParseFields(string[] fields, out (CronTimesOfDay, IDayRule, CronValueSet, CronValueSet)? parts)
    {
        parts = null;
        CronField[] plain = [CronField.Second, CronField.Minute, CronField.Hour, CronField.Month, CronField.Year];
        string[] plainTexts = [fields[0], fields[1], fields[2], fields[4], fields.Length == 7 ? fields[6] : "*"];
        var sets = new CronValueSet[plain.Length];
        for (var i = 0; i < plain.Length; i++)
        {
            if (plainTexts[i].Contains('?', StringComparison.Ordinal))
            {
                return $"{plain[i].Name}: '?' is only accepted in day-of-month or day-of-week; accepted {plain[i].AcceptedValues}";
            }

            if (CronValueSet.TryParse(plainTexts[i], plain[i], out var set) is { } error)
            {
                return error;
            }

            sets[i] = set!;
        }

        if (TryParseDays(fields[3], fields[5], out var days) is { } dayError)
        {
            return dayError;
        }

        parts = (new CronTimesOfDay(sets[0], sets[1], sets[2]), days!, sets[3], sets[4]);
        return null;
    }

    private static string? TryParseDays(string dayOfMonth, string dayOfWeek, out IDayRule? rule)
    {
        rule = null;
        return (dayOfMonth == "?", dayOfWeek == "?") switch
        {
            (true, true) => "day-of-month/day-of-week: both are '?'; accepted exactly one of them as '?' (e.g. '? * TUE#2' or 'L * ?')",
            (false, false) => "day-of-month/day-of-week: both are set; accepted exactly one of them as '?' (e.g. '? * TUE#2' or 'L * ?')",
            (true, false) => DayOfWeekParser.TryParse(dayOfWeek, out rule),
            (false, true) => DayOfMonthParser.TryParse(dayOfMonth, out rule),
        };
    }
}
