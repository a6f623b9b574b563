namespace Orchestrator.Core.Schedules.Cron;

/// <summary>
/// <c>15W</c>: the weekday nearest to the 15th, never crossing into another month. A day past the month's end
/// (<c>31W</c> in February) means the month's last day, as Quartz reads it, then its nearest weekday.
/// </summary>
internal sealed class NearestWeekdayRule(int day) : IDayRule
{
    public uint MatchingDays(int year, int month, int daysInMonth) =>
        CronCalendar.Bit(CronCalendar.NearestWeekday(year, month, Math.Min(day, daysInMonth), daysInMonth));
}
