namespace Orchestrator.Core.Schedules.Cron;

/// <summary>Calendar arithmetic in Quartz's terms (day-of-week 1 = Sunday .. 7 = Saturday).</summary>
internal static class CronCalendar
{
    public static int QuartzDayOfWeek(int year, int month, int day) => (int)new DateOnly(year, month, day).DayOfWeek + 1;

    public static uint Bit(int day) => 1u << day;

    /// <summary>The weekday nearest to <paramref name="day"/> without leaving the month (Quartz's <c>W</c>).</summary>
    public static int NearestWeekday(int year, int month, int day, int daysInMonth) =>
        QuartzDayOfWeek(year, month, day) switch
        {
            7 => day == 1 ? day + 2 : day - 1,
            1 => day == daysInMonth ? day - 2 : day + 1,
            _ => day,
        };
}
