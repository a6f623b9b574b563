namespace Orchestrator.Core.Schedules.Cron;

/// <summary><c>6L</c> / <c>FRIL</c>: the last Friday of the month.</summary>
internal sealed class LastDayOfWeekInMonthRule(int dayOfWeek) : IDayRule
{
    public uint MatchingDays(int year, int month, int daysInMonth)
    {
        var lastDayOfWeek = CronCalendar.QuartzDayOfWeek(year, month, daysInMonth);
        return CronCalendar.Bit(daysInMonth - (lastDayOfWeek - dayOfWeek + 7) % 7);
    }
}
