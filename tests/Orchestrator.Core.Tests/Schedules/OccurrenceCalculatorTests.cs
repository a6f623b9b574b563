using System.Diagnostics;
using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

public class OccurrenceCalculatorTests(ITestOutputHelper output)
{
    [Fact]
    public void BlackoutDateIsYieldedAsSkippedNotDropped()
    {
        var schedule = Schedules.Cron("0 0 22 ? * TUE#2") with { BlackoutDates = [new DateOnly(2027, 2, 9)] };

        var occurrences = OccurrenceCalculator.From(schedule, Schedules.Utc(2027, 1, 1)).Take(3).ToList();

        Assert.Equal([new DateTime(2027, 1, 12, 22, 0, 0), new(2027, 2, 9, 22, 0, 0), new(2027, 3, 9, 22, 0, 0)], occurrences.Select(o => o.NominalLocal));
        Assert.Equal([null, SkipReason.Blackout, null], occurrences.Select(o => o.Skipped));
    }

    [Fact]
    public void BlackoutAppliesToTheActualLocalStartDateAfterTheOffset()
    {
        // Base 2nd Tuesday 2027-02-09 + 2 days = Thursday 2027-02-11; a blackout on the Tuesday does not apply.
        var schedule = Schedules.Cron("0 0 22 ? * TUE#2", offsetDays: 2) with { BlackoutDates = [new DateOnly(2027, 2, 9), new DateOnly(2027, 3, 11)] };

        var occurrences = OccurrenceCalculator.From(schedule, Schedules.Utc(2027, 2, 1)).Take(2).ToList();

        Assert.Null(occurrences[0].Skipped);
        Assert.Equal(SkipReason.Blackout, occurrences[1].Skipped);
    }

    [Fact]
    public void BlackoutUsesTheLocalDateNotTheUtcDate()
    {
        // 00:30 Berlin on 2027-05-05 is 22:30 UTC on 2027-05-04.
        var schedule = Schedules.Cron("0 30 0 5 5 ?") with { BlackoutDates = [new DateOnly(2027, 5, 5)] };

        var occurrence = OccurrenceCalculator.From(schedule, Schedules.Utc(2027, 1, 1)).First();

        Assert.Equal(Schedules.Utc(2027, 5, 4, 22, 30), occurrence.StartUtc);
        Assert.Equal(SkipReason.Blackout, occurrence.Skipped);
    }

    [Fact]
    public void OccurrencesBeforeNotBeforeAreNotYieldedAndEnumerationEndsAfterNotAfter()
    {
        var schedule = Schedules.Cron("0 0 22 * * ?") with
        {
            NotBefore = new DateTimeOffset(2027, 6, 10, 20, 0, 0, TimeSpan.Zero),
            NotAfter = new DateTimeOffset(2027, 6, 13, 20, 0, 0, TimeSpan.Zero),
        };

        var occurrences = OccurrenceCalculator.From(schedule, Schedules.Utc(2027, 1, 1)).ToList();

        Assert.Equal([10, 11, 12, 13], occurrences.Select(o => o.NominalLocal.Day));
    }

    [Fact]
    public void NotBeforeAndNotAfterAreInclusive()
    {
        var schedule = Schedules.Cron("0 0 22 * * ?") with
        {
            NotBefore = new DateTimeOffset(2027, 6, 10, 22, 0, 0, TimeSpan.FromHours(2)),
            NotAfter = new DateTimeOffset(2027, 6, 11, 22, 0, 0, TimeSpan.FromHours(2)),
        };

        var occurrences = OccurrenceCalculator.From(schedule, Schedules.Utc(2027, 1, 1)).ToList();

        Assert.Equal([10, 11], occurrences.Select(o => o.NominalLocal.Day));
    }

    [Fact]
    public void FromUtcIsInclusiveAndLaterOccurrencesFollowInOrder()
    {
        var start = Schedules.Utc(2027, 6, 10, 20, 0);

        var occurrences = OccurrenceCalculator.From(Schedules.Cron("0 0 22 * * ?"), start).Take(3).ToList();

        Assert.Equal([start, start.AddDays(1), start.AddDays(2)], occurrences.Select(o => o.StartUtc));
        Assert.Equal(start.AddDays(1), OccurrenceCalculator.From(Schedules.Cron("0 0 22 * * ?"), start.AddTicks(1)).First().StartUtc);
    }

    [Fact]
    public void OneOffAtYieldsASingleOccurrenceInTheZone()
    {
        var schedule = new WindowSchedule { At = new DateTime(2027, 7, 1, 23, 30, 0), TimeZone = "America/New_York", Duration = TimeSpan.FromMinutes(90) };

        var occurrence = Assert.Single(OccurrenceCalculator.From(schedule, Schedules.Utc(2027, 1, 1)));

        Assert.Equal(Schedules.Utc(2027, 7, 2, 3, 30), occurrence.StartUtc);
        Assert.Equal(Schedules.Utc(2027, 7, 2, 5, 0), occurrence.EndUtc);
        Assert.Equal(new DateTimeOffset(2027, 7, 1, 23, 30, 0, TimeSpan.FromHours(-4)), occurrence.LocalStart);
        Assert.Equal("2027-07-01T23:30:00", occurrence.Key);
    }

    [Fact]
    public void OneOffAtInThePastYieldsNothing()
    {
        var schedule = new WindowSchedule { At = new DateTime(2027, 7, 1, 23, 30, 0), TimeZone = "Europe/Berlin", Duration = TimeSpan.FromHours(1) };

        Assert.Empty(OccurrenceCalculator.From(schedule, Schedules.Utc(2027, 7, 2)));
    }

    [Fact]
    public void OneOffAtInsideTheGapStartsAtTheGapEnd()
    {
        var schedule = new WindowSchedule { At = new DateTime(2027, 3, 28, 2, 15, 0), TimeZone = "Europe/Berlin", Duration = TimeSpan.FromHours(1) };

        var occurrence = Assert.Single(OccurrenceCalculator.From(schedule, Schedules.Utc(2027, 1, 1)));

        Assert.Equal(Schedules.Utc(2027, 3, 28, 1, 0), occurrence.StartUtc);
        Assert.Equal("2027-03-28T02:15:00", occurrence.Key);
    }

    [Fact]
    public void UnknownTimeZoneOrInvalidCronIsRejectedAtTheCall()
    {
        Assert.Throws<ArgumentException>(() => OccurrenceCalculator.From(Schedules.Cron("0 0 22 * * ?", "Mars/Olympus"), Schedules.Utc(2027, 1, 1)));
        Assert.Throws<ArgumentException>(() => OccurrenceCalculator.From(Schedules.Cron("0 0 22 * * *"), Schedules.Utc(2027, 1, 1)));
    }

    [Fact]
    public void TwoYearsOfAFiveMinuteCronEnumerateQuicklyAndCompletely()
    {
        // 731 days × 288 slots, minus Berlin's spring gap each year: 02:00..02:55 join 03:00 (12 slots a year).
        var end = ZoneRules.Berlin.ExpectedStart(new DateTime(2029, 1, 1));
        var stopwatch = Stopwatch.StartNew();

        var count = OccurrenceCalculator
            .From(Schedules.Cron("0 0/5 * * * ?"), ZoneRules.Berlin.ExpectedStart(new DateTime(2027, 1, 1)))
            .TakeWhile(o => o.StartUtc < end)
            .Count();

        output.WriteLine($"{count} occurrences in {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal((731 * 288) - 24, count);
    }
}
