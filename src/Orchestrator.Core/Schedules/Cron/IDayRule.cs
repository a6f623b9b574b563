namespace Orchestrator.Core.Schedules.Cron;

/// <summary>The day-of-month or day-of-week field (whichever is not <c>?</c>) as a rule over one month.</summary>
internal interface IDayRule
{
    /// <summary>Bit d (1..31) set when day d of the month matches.</summary>
    uint MatchingDays(int year, int month, int daysInMonth);
}
