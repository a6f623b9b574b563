namespace Orchestrator.Core.Schedules.Cron;

/// <summary>Day-of-week as plain values (<c>MON-FRI</c>, <c>1,7</c>, <c>L</c> = Saturday).</summary>
internal sealed class DayOfWeekValuesRule(CronValueSet daysOfWeek) : IDayRule
{
    public uint MatchingDays(int year, int month, int daysInMonth)
    {
        var mask = 0u;
        var dayOfWeek = CronCalendar.QuartzDayOfWeek(year, month, 1);
        for (var day = 1; day <= daysInMonth; day++)
        {
            if (daysOfWeek.Contains(dayOfWeek))
            {
                mask |= CronCalendar.Bit(day);
            }

            dayOfWeek = dayOfWeek % 7 + 1;
        }

        return mask;
    }
}
