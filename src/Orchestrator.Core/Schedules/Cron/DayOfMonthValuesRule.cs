namespace Orchestrator.Core.Schedules.Cron;

/// <summary>Day-of-month as plain values (<c>1,15</c>, <c>1-7</c>, <c>*/2</c>); days a month lacks never match.</summary>
internal sealed class DayOfMonthValuesRule(CronValueSet days) : IDayRule
{
    private readonly uint mask = days.Values.Aggregate(0u, (m, d) => m | CronCalendar.Bit(d));

    public uint MatchingDays(int year, int month, int daysInMonth) => mask & (((1u << daysInMonth) - 1) << 1);
}
