using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

public class DaylightSavingTests
{
    // (zone, a wall time inside the spring-forward gap, the gap's end as a local DateTimeOffset)
    public static TheoryData<string, DateTime, DateTimeOffset> GapStarts => new()
    {
        { "Europe/Berlin", new(2027, 3, 28, 2, 30, 0), new(2027, 3, 28, 3, 0, 0, TimeSpan.FromHours(2)) },
        { "Europe/Berlin", new(2028, 3, 26, 2, 0, 0), new(2028, 3, 26, 3, 0, 0, TimeSpan.FromHours(2)) },
        { "America/New_York", new(2027, 3, 14, 2, 30, 0), new(2027, 3, 14, 3, 0, 0, TimeSpan.FromHours(-4)) },
        { "America/New_York", new(2028, 3, 12, 2, 59, 59), new(2028, 3, 12, 3, 0, 0, TimeSpan.FromHours(-4)) },
        { "Australia/Lord_Howe", new(2027, 10, 3, 2, 15, 0), new(2027, 10, 3, 2, 30, 0, TimeSpan.FromHours(11)) },
        { "Australia/Lord_Howe", new(2028, 10, 1, 2, 0, 0), new(2028, 10, 1, 2, 30, 0, TimeSpan.FromHours(11)) },
    };

    // (zone, a wall time inside the fall-back overlap, its first instant)
    public static TheoryData<string, DateTime, DateTimeOffset> OverlapStarts => new()
    {
        { "Europe/Berlin", new(2027, 10, 31, 2, 30, 0), new(2027, 10, 31, 2, 30, 0, TimeSpan.FromHours(2)) },
        { "Europe/Berlin", new(2028, 10, 29, 2, 0, 0), new(2028, 10, 29, 2, 0, 0, TimeSpan.FromHours(2)) },
        { "America/New_York", new(2027, 11, 7, 1, 30, 0), new(2027, 11, 7, 1, 30, 0, TimeSpan.FromHours(-4)) },
        { "Australia/Lord_Howe", new(2027, 4, 4, 1, 45, 0), new(2027, 4, 4, 1, 45, 0, TimeSpan.FromHours(11)) },
        { "Australia/Lord_Howe", new(2028, 4, 2, 1, 30, 0), new(2028, 4, 2, 1, 30, 0, TimeSpan.FromHours(11)) },
    };

    [Theory]
    [MemberData(nameof(GapStarts))]
    public void StartInsideTheSpringForwardGapStartsAtTheEndOfTheGap(string zone, DateTime wall, DateTimeOffset gapEnd)
    {
        var rules = ZoneRulesTests.Rules(zone);
        Assert.Equal(gapEnd, rules.ExpectedStart(wall));

        var occurrences = OccurrencesOfWallTimeOnItsDay(zone, wall);

        var occurrence = Assert.Single(occurrences);
        Assert.Equal(gapEnd, occurrence.StartUtc);
        Assert.Equal(gapEnd.Offset, occurrence.LocalStart.Offset);
        Assert.Equal(gapEnd.DateTime, occurrence.LocalStart.DateTime);
        Assert.Equal(wall, occurrence.NominalLocal);
        Assert.Equal(gapEnd, DstResolver.Resolve(wall, rules.Zone));
    }

    [Theory]
    [MemberData(nameof(OverlapStarts))]
    public void StartInsideTheFallBackOverlapStartsOnceAtTheFirstInstant(string zone, DateTime wall, DateTimeOffset first)
    {
        var rules = ZoneRulesTests.Rules(zone);
        Assert.Equal(first, rules.ExpectedStart(wall));

        var occurrence = Assert.Single(OccurrencesOfWallTimeOnItsDay(zone, wall));

        Assert.Equal(first, occurrence.StartUtc);
        Assert.Equal(first.Offset, occurrence.LocalStart.Offset);
        Assert.Equal(first, DstResolver.Resolve(wall, rules.Zone));
    }

    public static TheoryData<string, DateOnly, int, int> TransitionDays => new()
    {
        // zone, day, cron step in minutes, distinct starts that day
        { "Europe/Berlin", new(2027, 3, 28), 30, 46 },
        { "Europe/Berlin", new(2027, 10, 31), 30, 48 },
        { "America/New_York", new(2027, 3, 14), 30, 46 },
        { "America/New_York", new(2027, 11, 7), 30, 48 },
        { "Australia/Lord_Howe", new(2027, 10, 3), 30, 47 },
        { "Australia/Lord_Howe", new(2027, 4, 4), 30, 48 },
        { "Australia/Lord_Howe", new(2027, 10, 3), 10, 141 },
        { "Australia/Lord_Howe", new(2028, 4, 2), 10, 144 },
    };

    [Theory]
    [MemberData(nameof(TransitionDays))]
    public void StepCronAcrossATransitionYieldsEachInstantOnceInOrder(string zone, DateOnly day, int stepMinutes, int expectedCount)
    {
        var rules = ZoneRulesTests.Rules(zone);
        var walls = Enumerable.Range(0, 24 * 60 / stepMinutes).Select(i => day.ToDateTime(TimeOnly.MinValue).AddMinutes(i * stepMinutes));
        var expected = walls
            .Select(wall => (Key: wall, Start: rules.ExpectedStart(wall)))
            .DistinctBy(e => e.Start)
            .ToList();
        var dayStartUtc = rules.ExpectedStart(day.ToDateTime(TimeOnly.MinValue));
        var nextDayUtc = rules.ExpectedStart(day.AddDays(1).ToDateTime(TimeOnly.MinValue));

        var actual = OccurrenceCalculator
            .From(Schedules.Cron($"0 0/{stepMinutes} * * * ?", zone), dayStartUtc)
            .TakeWhile(o => o.StartUtc < nextDayUtc)
            .ToList();

        Assert.Equal(expectedCount, expected.Count);
        Assert.Equal(expected.Select(e => e.Start), actual.Select(o => o.StartUtc));
        Assert.Equal(expected.Select(e => e.Key), actual.Select(o => o.NominalLocal));
    }

    [Fact]
    public void TwoNominalTimesResolvingToOneInstantYieldOneOccurrenceWithTheFirstKey()
    {
        // 02:00, 02:30 (gap) and 03:00 all start at 03:00 CEST on 2027-03-28.
        var actual = OccurrenceCalculator
            .From(Schedules.Cron("0 0/30 2-3 * * ?"), Schedules.Utc(2027, 3, 28))
            .Take(2)
            .ToList();

        Assert.Equal("2027-03-28T02:00:00", actual[0].Key);
        Assert.Equal(Schedules.Utc(2027, 3, 28, 1, 0), actual[0].StartUtc);
        Assert.Equal("2027-03-28T03:30:00", actual[1].Key);
    }

    [Fact]
    public void DurationIsElapsedTimeAcrossFallBack()
    {
        // 00:30 CEST + 4 h elapsed ends at 03:30 CET, not 04:30.
        var occurrence = OccurrenceCalculator
            .From(Schedules.Cron("0 30 0 * * ?") with { Duration = TimeSpan.FromHours(4) }, Schedules.Utc(2027, 10, 30, 22))
            .First();

        Assert.Equal(Schedules.Utc(2027, 10, 30, 22, 30), occurrence.StartUtc);
        Assert.Equal(Schedules.Utc(2027, 10, 31, 2, 30), occurrence.EndUtc);
        Assert.Equal(new DateTime(2027, 10, 31, 3, 30, 0), TimeZoneInfo.ConvertTimeFromUtc(occurrence.EndUtc.UtcDateTime, ZoneRules.Berlin.Zone));
    }

    private static List<Occurrence> OccurrencesOfWallTimeOnItsDay(string zone, DateTime wall)
    {
        var cron = $"{wall.Second} {wall.Minute} {wall.Hour} {wall.Day} {wall.Month} ? {wall.Year}";
        return [.. OccurrenceCalculator.From(Schedules.Cron(cron, zone), new DateTimeOffset(wall.Date, TimeSpan.Zero).AddDays(-1))];
    }
}
