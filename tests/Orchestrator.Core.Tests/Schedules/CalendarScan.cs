namespace Orchestrator.Core.Tests.Schedules;

/// <summary>Expected dates found the slow, obvious way: by scanning the days of a month.</summary>
internal static class CalendarScan
{
    public static IEnumerable<DateOnly> DaysOf(int year, int month)
    {
        for (var day = new DateOnly(year, month, 1); day.Month == month; day = day.AddDays(1))
        {
            yield return day;
        }
    }

    public static DateOnly Nth(int year, int month, DayOfWeek dayOfWeek, int nth) =>
        DaysOf(year, month).Where(d => d.DayOfWeek == dayOfWeek).ElementAt(nth - 1);

    public static DateOnly? NthOrNone(int year, int month, DayOfWeek dayOfWeek, int nth) =>
        DaysOf(year, month).Where(d => d.DayOfWeek == dayOfWeek).Skip(nth - 1).Cast<DateOnly?>().FirstOrDefault();

    public static DateOnly Last(int year, int month, DayOfWeek dayOfWeek) =>
        DaysOf(year, month).Last(d => d.DayOfWeek == dayOfWeek);

    public static DateOnly LastDay(int year, int month) => DaysOf(year, month).Last();

    public static bool IsWeekday(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    /// <summary>The weekday of the month closest to <paramref name="target"/> (never a tie: weekends are two days).</summary>
    public static DateOnly NearestWeekdayInMonth(DateOnly target) =>
        DaysOf(target.Year, target.Month).Where(IsWeekday).MinBy(d => Math.Abs(d.DayNumber - target.DayNumber));

    public static IEnumerable<(int Year, int Month)> MonthsOf(params int[] years) =>
        years.SelectMany(y => Enumerable.Range(1, 12).Select(m => (y, m)));
}
