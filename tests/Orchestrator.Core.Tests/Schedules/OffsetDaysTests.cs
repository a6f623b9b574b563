using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

public class OffsetDaysTests
{
    private const string PatchTuesday = "0 0 22 ? * TUE#2";

    public static TheoryData<int, int, int> EveryMonthAndOffset()
    {
        var data = new TheoryData<int, int, int>();
        foreach (var (year, month) in CalendarScan.MonthsOf(2027, 2028))
        {
            for (var offset = -6; offset <= 6; offset++)
            {
                data.Add(year, month, offset);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryMonthAndOffset))]
    public void PatchTuesdayWithOffsetStartsOnTheShiftedDateAtTwentyTwoBerlinTime(int year, int month, int offset)
    {
        var nominal = CalendarScan.Nth(year, month, DayOfWeek.Tuesday, 2).AddDays(offset).ToDateTime(new TimeOnly(22, 0));
        var expected = ZoneRules.Berlin.ExpectedStart(nominal);

        // Patch Tuesdays are at least four weeks apart, so the first start after "20 days before" is this month's.
        var occurrence = OccurrenceCalculator.From(Schedules.Cron(PatchTuesday, offsetDays: offset), expected.AddDays(-20)).First();

        Assert.Equal(nominal, occurrence.NominalLocal);
        Assert.Equal(expected, occurrence.StartUtc);
        Assert.Equal(expected.Offset, occurrence.LocalStart.Offset);
        Assert.Equal(nominal, occurrence.LocalStart.DateTime);
        Assert.Equal(TimeSpan.Zero, occurrence.StartUtc.Offset);
        Assert.Equal(expected.AddHours(2), occurrence.EndUtc);
        Assert.Null(occurrence.Skipped);
    }

    public static TheoryData<int, int, int> MonthEndsAndForwardOffsets()
    {
        var data = new TheoryData<int, int, int>();
        foreach (var (year, month) in CalendarScan.MonthsOf(2027, 2028))
        {
            for (var offset = 1; offset <= 6; offset++)
            {
                data.Add(year, month, offset);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MonthEndsAndForwardOffsets))]
    public void LastDayOfMonthWithForwardOffsetCrossesIntoTheNextMonthWithoutClamping(int year, int month, int offset)
    {
        var nominal = CalendarScan.LastDay(year, month).AddDays(offset).ToDateTime(new TimeOnly(22, 0));

        var occurrence = OccurrenceCalculator.From(Schedules.Cron("0 0 22 L * ?", offsetDays: offset), ZoneRules.Berlin.ExpectedStart(nominal)).First();

        Assert.Equal(month % 12 + 1, occurrence.NominalLocal.Month);
        Assert.Equal(offset, occurrence.NominalLocal.Day);
        Assert.Equal(nominal, occurrence.NominalLocal);
        Assert.Equal(ZoneRules.Berlin.ExpectedStart(nominal), occurrence.StartUtc);
    }

    [Theory]
    [MemberData(nameof(MonthEndsAndForwardOffsets))]
    public void FirstTuesdayWithBackwardOffsetCanLandInThePreviousMonth(int year, int month, int back)
    {
        var firstTuesday = CalendarScan.Nth(year, month, DayOfWeek.Tuesday, 1);
        var nominal = firstTuesday.AddDays(-back).ToDateTime(new TimeOnly(22, 0));
        var expected = ZoneRules.Berlin.ExpectedStart(nominal);

        var occurrence = OccurrenceCalculator.From(Schedules.Cron("0 0 22 ? * TUE#1", offsetDays: -back), expected).First();

        Assert.Equal(nominal, occurrence.NominalLocal);
        Assert.Equal(expected, occurrence.StartUtc);
    }

    [Fact]
    public void PatchTuesdayWithOffsetCrossesMonthEndWithoutClamping()
    {
        // 31 January + 1 is 1 February, and 28 February 2027 + 3 is 3 March: never clamped to a month's end.
        // From 2 January, 31 December 2026 + 6 lands on 6 January 2027 and must still be found.
        var fromUtc = Schedules.Utc(2027, 1, 2);

        var january = OccurrenceCalculator.From(Schedules.Cron("0 0 22 31 * ?", offsetDays: 1), fromUtc).First();
        var february = OccurrenceCalculator.From(Schedules.Cron("0 0 22 L 2 ?", offsetDays: 3), fromUtc).First();
        var newYear = OccurrenceCalculator.From(Schedules.Cron("0 0 22 31 12 ?", offsetDays: 6), fromUtc).First();

        Assert.Equal(new DateTime(2027, 2, 1, 22, 0, 0), january.NominalLocal);
        Assert.Equal(new DateTime(2027, 3, 3, 22, 0, 0), february.NominalLocal);
        Assert.Equal(new DateTime(2027, 1, 6, 22, 0, 0), newYear.NominalLocal);
    }

    [Fact]
    public void NegativeOffsetDoesNotLoseAStartWhoseBaseDateLiesAfterFromUtc()
    {
        // Base 2nd Tuesday 2027-06-08 22:00; −6 days → Wednesday 2027-06-02 22:00 CEST = 20:00 UTC.
        var fromUtc = Schedules.Utc(2027, 6, 2, 19, 59);

        var occurrence = OccurrenceCalculator.From(Schedules.Cron(PatchTuesday, offsetDays: -6), fromUtc).First();

        Assert.Equal(Schedules.Utc(2027, 6, 2, 20, 0), occurrence.StartUtc);
        Assert.Equal("2027-06-02T22:00:00", occurrence.Key);
    }

    [Fact]
    public void OffsetThatMovesAStartOntoTheSpringForwardGapStartsAtTheGapEndButKeepsTheNominalKey()
    {
        // Saturday 2027-03-27 02:30 + 1 day = Sunday 2027-03-28 02:30, inside Berlin's 02:00→03:00 gap.
        var occurrence = OccurrenceCalculator.From(Schedules.Cron("0 30 2 ? * SAT", offsetDays: 1), Schedules.Utc(2027, 3, 22)).First();

        Assert.Equal("2027-03-28T02:30:00", occurrence.Key);
        Assert.Equal(Schedules.Utc(2027, 3, 28, 1, 0), occurrence.StartUtc);
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 3, 0, 0, TimeSpan.FromHours(2)), occurrence.LocalStart);
    }

    [Fact]
    public void OffsetThatMovesAStartAcrossFallBackKeepsTheLocalTimeOfDay()
    {
        // Friday 2027-10-29 22:00 CEST (+2) + 3 days = Monday 2027-11-01 22:00 CET (+1).
        var occurrence = OccurrenceCalculator.From(Schedules.Cron("0 0 22 ? * FRI", offsetDays: 3), Schedules.Utc(2027, 10, 30)).First();

        Assert.Equal(new DateTime(2027, 11, 1, 22, 0, 0), occurrence.NominalLocal);
        Assert.Equal(Schedules.Utc(2027, 11, 1, 21, 0), occurrence.StartUtc);
        Assert.Equal(TimeSpan.FromHours(1), occurrence.LocalStart.Offset);
    }
}
