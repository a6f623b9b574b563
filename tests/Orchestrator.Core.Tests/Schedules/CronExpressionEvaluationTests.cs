using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

public class CronExpressionEvaluationTests
{
    private static readonly DateTime From2027 = new(2027, 1, 1);
    private static readonly DateTime Until2029 = new(2029, 1, 1);

    public static TheoryData<string, string> MonthlyDayRules => new()
    {
        { "0 0 12 L * ?", "last day" },
        { "0 0 12 L-3 * ?", "three days before the last" },
        { "0 0 12 LW * ?", "weekday nearest the last day" },
        { "0 0 12 L-2W * ?", "weekday nearest two days before the last" },
        { "0 0 12 15W * ?", "weekday nearest the 15th" },
        { "0 0 12 1W * ?", "weekday nearest the 1st" },
        { "0 0 12 31W * ?", "weekday nearest the 31st" },
        { "0 0 12 30W * ?", "weekday nearest the 30th" },
        { "0 0 12 ? * 6L", "last Friday" },
        { "0 0 12 ? * FRIL", "last Friday" },
        { "0 0 12 ? * TUE#2", "second Tuesday" },
        { "0 0 12 ? * 3#2", "second Tuesday" },
        { "0 0 12 ? * SUN#5", "fifth Sunday" },
        { "0 0 12 ? * MON#1", "first Monday" },
    };

    [Theory]
    [MemberData(nameof(MonthlyDayRules))]
    public void MonthlyDayRuleMatchesTheDaysFoundByScanningEachMonth(string text, string meaning)
    {
        var expected = CalendarScan.MonthsOf(2027, 2028)
            .Select(m => Expected(meaning, m.Year, m.Month))
            .OfType<DateOnly>()
            .Select(d => d.ToDateTime(new TimeOnly(12, 0)));

        Assert.Equal(expected, TwoYears(text));
    }

    /// <summary>Regression: Core skipped February for 31W; Quartz fires on the weekday nearest
    /// February's last day. 2027-02-28 is a Sunday, so both fire on Friday the 26th.</summary>
    [Fact]
    public void NearestWeekdayPastTheMonthsEndFiresOnTheWeekdayNearestTheLastDayAsQuartzDoes()
    {
        var quartz = new Quartz.CronExpression("0 0 12 31W FEB ?", TimeZoneInfo.Utc);
        var quartzFire = quartz.GetNextValidTimeAfter(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTime(2027, 2, 26, 12, 0, 0), CronExpression.Parse("0 0 12 31W FEB ?").LocalTimesFrom(From2027).First());
        Assert.Equal(new DateTimeOffset(2027, 2, 26, 12, 0, 0, TimeSpan.Zero), quartzFire);
    }

    [Fact]
    public void DayNamesMonthNamesAndRangesMatchScannedDays()
    {
        var expected = CalendarScan.MonthsOf(2027, 2028)
            .Where(m => m.Month is 1 or 7)
            .SelectMany(m => CalendarScan.DaysOf(m.Year, m.Month))
            .Where(CalendarScan.IsWeekday)
            .Select(d => d.ToDateTime(new TimeOnly(8, 0)));

        Assert.Equal(expected, TwoYears("0 0 8 ? JAN,JUL MON-FRI"));
        Assert.Equal(expected, TwoYears("0 0 8 ? 1,7 2-6"));
    }

    [Fact]
    public void LAloneInDayOfWeekMeansSaturday()
    {
        var expected = CalendarScan.MonthsOf(2027, 2028)
            .SelectMany(m => CalendarScan.DaysOf(m.Year, m.Month))
            .Where(d => d.DayOfWeek == DayOfWeek.Saturday)
            .Select(d => d.ToDateTime(new TimeOnly(9, 0)));

        Assert.Equal(expected, TwoYears("0 0 9 ? * L"));
    }

    [Fact]
    public void WrappingDayOfWeekRangeRunsThroughTheWeekend()
    {
        var expected = CalendarScan.DaysOf(2027, 5)
            .Where(d => d.DayOfWeek is DayOfWeek.Friday or DayOfWeek.Saturday or DayOfWeek.Sunday or DayOfWeek.Monday)
            .Select(d => d.ToDateTime(new TimeOnly(9, 0)));

        Assert.Equal(expected, TwoYears("0 0 9 ? MAY FRI-MON 2027"));
    }

    [Fact]
    public void StepsInSecondsMinutesAndHoursEnumerateEveryTimeOfDayInOrder()
    {
        var expected =
            from hour in Enumerable.Range(0, 24).Where(h => h % 6 == 1)
            from minute in Enumerable.Range(0, 60).Where(m => m % 20 == 0)
            from second in Enumerable.Range(5, 36).Where(s => s % 5 == 0)
            select new DateTime(2027, 4, 1, hour, minute, second);

        Assert.Equal(expected, CronExpression.Parse("5-40/5 */20 1/6 1 APR ? 2027").LocalTimesFrom(From2027));
    }

    [Fact]
    public void WrappingHourRangeCoversMidnight()
    {
        var times = CronExpression.Parse("0 0 22-2 1 1 ? 2027").LocalTimesFrom(From2027).Select(t => t.Hour);

        Assert.Equal([0, 1, 2, 22, 23], times);
    }

    [Fact]
    public void YearFieldLimitsTheYearsAndEndsTheSequence()
    {
        Assert.Equal(
            [new DateTime(2027, 1, 1), new(2029, 1, 1), new(2031, 1, 1)],
            CronExpression.Parse("0 0 0 1 1 ? 2027-2031/2").LocalTimesFrom(new DateTime(2020, 1, 1)));
        Assert.Equal(
            [new DateTime(2198, 12, 31, 23, 59, 59), new(2199, 12, 31, 23, 59, 59)],
            CronExpression.Parse("59 59 23 31 DEC ?").LocalTimesFrom(new DateTime(2198, 6, 1)));
    }

    [Fact]
    public void StartIsInclusiveAndAPartialSecondRoundsUp()
    {
        var cron = CronExpression.Parse("0 0 22 * * ?");
        var at = new DateTime(2027, 3, 1, 22, 0, 0);

        Assert.Equal(at, cron.LocalTimesFrom(at).First());
        Assert.Equal(at.AddDays(1), cron.LocalTimesFrom(at.AddMilliseconds(1)).First());
        Assert.Equal(DateTimeKind.Unspecified, cron.LocalTimesFrom(DateTime.SpecifyKind(at, DateTimeKind.Utc)).First().Kind);
    }

    [Fact]
    public void StartInTheMiddleOfADayContinuesWithThatDaysLaterTimes()
    {
        var times = CronExpression.Parse("30 15,45 9,10 * * ?").LocalTimesFrom(new DateTime(2027, 3, 1, 9, 15, 31)).Take(4);

        Assert.Equal(
            [new DateTime(2027, 3, 1, 9, 45, 30), new(2027, 3, 1, 10, 15, 30), new(2027, 3, 1, 10, 45, 30), new(2027, 3, 2, 9, 15, 30)],
            times);
    }

    [Fact]
    public void ExpressionThatNeverMatchesEndsInsteadOfLoopingForever()
    {
        Assert.Empty(CronExpression.Parse("0 0 0 30 FEB ?").LocalTimesFrom(From2027));
        Assert.Empty(CronExpression.Parse("0 0 0 1 1 ? 2020").LocalTimesFrom(From2027));
    }

    [Fact]
    public void EverySecondForADayIsEnumeratedInFull()
    {
        Assert.Equal(86_400, CronExpression.Parse("* * * 1 1 ? 2027").LocalTimesFrom(From2027).Count());
    }

    private static List<DateTime> TwoYears(string text) =>
        [.. CronExpression.Parse(text).LocalTimesFrom(From2027).TakeWhile(t => t < Until2029)];

    private static DateOnly? Expected(string meaning, int year, int month)
    {
        var last = CalendarScan.LastDay(year, month);
        return meaning switch
        {
            "last day" => last,
            "three days before the last" => last.AddDays(-3),
            "weekday nearest the last day" => CalendarScan.NearestWeekdayInMonth(last),
            "weekday nearest two days before the last" => CalendarScan.NearestWeekdayInMonth(last.AddDays(-2)),
            "weekday nearest the 15th" => CalendarScan.NearestWeekdayInMonth(new DateOnly(year, month, 15)),
            "weekday nearest the 1st" => CalendarScan.NearestWeekdayInMonth(new DateOnly(year, month, 1)),
            // Quartz clamps a day past the month's end to the last day: never a skipped month.
            "weekday nearest the 31st" => CalendarScan.NearestWeekdayInMonth(last),
            "weekday nearest the 30th" => CalendarScan.NearestWeekdayInMonth(last.Day < 30 ? last : new DateOnly(year, month, 30)),
            "last Friday" => CalendarScan.Last(year, month, DayOfWeek.Friday),
            "second Tuesday" => CalendarScan.Nth(year, month, DayOfWeek.Tuesday, 2),
            "fifth Sunday" => CalendarScan.NthOrNone(year, month, DayOfWeek.Sunday, 5),
            "first Monday" => CalendarScan.Nth(year, month, DayOfWeek.Monday, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(meaning), meaning, "no expectation written"),
        };
    }
}
