namespace Orchestrator.Core.Schedules.Cron;

/// <summary><c>L</c>, <c>L-n</c> (n days before the last), and with <c>W</c> the weekday nearest to that day.</summary>
internal sealed class LastDayOfMonthRule(int daysBeforeLast, bool nearestWeekday) : IDayRule
{
    public uint MatchingDays(int year, int month, int daysInMonth)
    {
        var day = daysInMonth - daysBeforeLast;
        if (day < 1)
        {
            return 0;
        }

        return CronCalendar.Bit(nearestWeekday ? CronCalendar.NearestWeekday(year, month, day, daysInMonth) : day);
    }
}
