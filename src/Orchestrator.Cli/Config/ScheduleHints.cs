using System.Globalization;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Windows;

namespace Orchestrator.Cli.Config;

/// <summary>
/// Warnings (not errors: the server accepts these) about schedules that are valid but probably not meant: a numeric
/// day-of-week, which Quartz counts from 1 = Sunday while Linux cron counts from 0 = Sunday, so a habit from crontab
/// silently moves the window by a day; and blackout dates on which the window never starts, which therefore skip nothing.
/// </summary>
internal static class ScheduleHints
{
    private static readonly char[] Separators = [' ', '\t'];

    public static IEnumerable<ConfigDiagnostic> Check(WindowDefinition window, SpecSource source)
    {
        var schedule = window.Schedule;
        if (NumericDaysOfWeek(schedule.Cron) is { Count: > 0 } numbers)
        {
            var meanings = string.Join(", ", numbers.Select(n => $"{n} = {(DayOfWeek)(n - 1)}"));
            var linux = string.Join(", ", numbers.Select(n => $"{n} = {(DayOfWeek)(n % 7)}"));
            var names = string.Join(", ", numbers.Select(n => Abbreviation((DayOfWeek)(n - 1))));
            yield return new ConfigDiagnostic(
                source.Locate("cron"), "cron",
                $"day-of-week is a number: in Quartz {meanings} (1 = Sunday … 7 = Saturday), while Linux cron would read {linux}; write {names} to say which day is meant",
                IsWarning: true);
        }

        for (var i = 0; i < schedule.BlackoutDates.Count; i++)
        {
            var date = schedule.BlackoutDates[i];
            if (!StartsOn(schedule, date))
            {
                var field = $"blackoutDates[{i}]";
                yield return new ConfigDiagnostic(
                    source.Locate(field), field,
                    $"{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} ({date.DayOfWeek}) matches no start of this window in {schedule.TimeZone}, so it skips nothing; a blackout date is the local date of a start (after offsetDays)",
                    IsWarning: true);
            }
        }
    }

    /// <summary>The numbers (1-7) written in the day-of-week field, in order; not the n of MON#n or the step of 2/3.</summary>
    internal static IReadOnlyList<int> NumericDaysOfWeek(string? cron)
    {
        var fields = cron?.Split(Separators, StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (fields.Length < 6)
        {
            return [];
        }

        var numbers = new List<int>();
        foreach (var part in fields[5].Split(','))
        {
            var day = part.Split('/', '#')[0].TrimEnd('L', 'l');
            foreach (var bound in day.Split('-'))
            {
                if (int.TryParse(bound, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 7 && !numbers.Contains(n))
                {
                    numbers.Add(n);
                }
            }
        }

        return numbers;
    }

    /// <summary>Whether an occurrence starts (locally) on the date; looks at the few days around it only.</summary>
    private static bool StartsOn(WindowSchedule schedule, DateOnly date)
    {
        var from = new DateTimeOffset(date.AddDays(-2).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var until = from.AddDays(5);
        return OccurrenceCalculator.From(schedule, from)
            .TakeWhile(o => o.StartUtc < until)
            .Any(o => DateOnly.FromDateTime(o.LocalStart.DateTime) == date);
    }

    private static string Abbreviation(DayOfWeek day) => day.ToString()[..3].ToUpperInvariant();
}
