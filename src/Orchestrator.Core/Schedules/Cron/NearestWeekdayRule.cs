namespace Orchestrator.Core.Schedules.Cron;

/// <summary><c>15W</c>: the weekday nearest to the 15th, never crossing into another month.</summary>
internal sealed class NearestWeekdayRule(int day) : IDayRule
{
    public uint MatchingDays(int year, int month, int daysInMonth) =>
        day > daysInMonth ? 0 : CronCalendar.Bit(CronCalendar.NearestWeekday(year, month, day, daysInMonth));
}
