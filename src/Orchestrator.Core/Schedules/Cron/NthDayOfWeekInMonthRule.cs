namespace Orchestrator.Core.Schedules.Cron;

/// <summary><c>TUE#2</c> / <c>3#2</c>: the n-th Tuesday of the month; months without a fifth one do not match <c>#5</c>.</summary>
internal sealed class NthDayOfWeekInMonthRule(int dayOfWeek, int nth) : IDayRule
{
    public uint MatchingDays(int year, int month, int daysInMonth)
    {
        var first = 1 + (dayOfWeek - CronCalendar.QuartzDayOfWeek(year, month, 1) + 7) % 7;
        var day = first + 7 * (nth - 1);
        return day > daysInMonth ? 0 : CronCalendar.Bit(day);
    }
}
