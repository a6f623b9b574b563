using System.Diagnostics;
using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

/// <summary>Regression: a window never overlaps itself; the shortest gap between consecutive starts decides.</summary>
public class StartGapsTests(ITestOutputHelper output)
{
    private static WindowSchedule Schedule(string cron, string duration, string zone = "UTC") => new()
    {
        Cron = cron,
        TimeZone = zone,
        Duration = System.Xml.XmlConvert.ToTimeSpan(duration),
    };

    /// <summary>Regression: "* * * * * ?" with PT24H was accepted and opened 18 runs of one window in 20 s.</summary>
    [Fact]
    public void EverySecondWithADayLongDurationIsRefusedNamingTheGapAndTheDuration()
    {
        var error = Assert.Single(ScheduleValidator.Validate(Schedule("* * * * * ?", "PT24H")));

        Assert.Equal("cron", error.Field);
        Assert.StartsWith("consecutive starts are as little as PT1S apart (", error.Message, StringComparison.Ordinal);
        Assert.Contains("less than the duration PT24H", error.Message, StringComparison.Ordinal);
        Assert.Contains("accepted", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 0 22 * * ?", "PT24H", "UTC")]
    [InlineData("0 0 22 ? * MON-FRI", "PT24H", "UTC")]
    [InlineData("0 0 22 * * ?", "PT23H", "Europe/Berlin")]
    [InlineData("0 0 */2 * * ?", "PT2H", "UTC")]
    [InlineData("0 0 22 ? * TUE#2", "PT24H", "Europe/Berlin")]
    [InlineData("0 0 22 L * ?", "PT24H", "America/New_York")]
    public void StartsAtLeastTheDurationApartAreAccepted(string cron, string duration, string zone)
    {
        Assert.Empty(ScheduleValidator.Validate(Schedule(cron, duration, zone)));
    }

    /// <summary>docs/design.md: duration is elapsed time. Berlin's spring-forward makes 22:00 → 22:00 only 23 h.</summary>
    [Fact]
    public void DailyStartWithADayLongDurationOverlapsAcrossSpringForward()
    {
        var gap = StartGaps.Shortest(Schedule("0 0 22 * * ?", "PT24H", "Europe/Berlin") with { NotBefore = Schedules.Utc(2027, 1, 1) }, TimeSpan.FromHours(24));

        Assert.NotNull(gap);
        Assert.Equal(TimeSpan.FromHours(23), gap.Gap);
        Assert.Equal(new DateTimeOffset(2027, 3, 27, 22, 0, 0, TimeSpan.FromHours(1)), gap.First);
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 22, 0, 0, TimeSpan.FromHours(2)), gap.Second);
        Assert.Single(ScheduleValidator.Validate(Schedule("0 0 22 * * ?", "PT23H1M", "Europe/Berlin")));
    }

    /// <summary>02:30 does not exist on the spring-forward day: it starts at 03:00, 23 h 30 min after the day before.</summary>
    [Fact]
    public void StartInsideTheSpringForwardGapShortensTheGapToTheEndOfTheGap()
    {
        var gap = StartGaps.Shortest(Schedule("0 30 2 * * ?", "PT24H", "Europe/Berlin") with { NotBefore = Schedules.Utc(2027, 1, 1) }, TimeSpan.FromHours(24));

        Assert.NotNull(gap);
        Assert.Equal(new TimeSpan(23, 30, 0), gap.Gap);
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 3, 0, 0, TimeSpan.FromHours(2)), gap.Second);
    }

    /// <summary>Feb 29 23:00 → Mar 1 01:00 exists only in leap years: the walk covers them.</summary>
    [Fact]
    public void OverlapThatOnlyLeapYearsHaveIsFound()
    {
        var schedule = Schedule("0 0 1,23 1,29 FEB,MAR ?", "PT22H") with { NotBefore = Schedules.Utc(2026, 6, 1) };

        var error = Assert.Single(ScheduleValidator.Validate(schedule));
        Assert.Contains("as little as PT2H apart (2028-02-29T23:00:00+00:00 then 2028-03-01T01:00:00+00:00)", error.Message, StringComparison.Ordinal);
        Assert.Empty(ScheduleValidator.Validate(schedule with { NotAfter = Schedules.Utc(2027, 12, 31) }));
    }

    /// <summary>The day offset moves every start by the same number of local days: an overlap stays one.</summary>
    [Fact]
    public void OffsetDaysAndBlackoutsDoNotHideAnOverlap()
    {
        var schedule = Schedule("0 0 1,23 * * ?", "PT4H") with
        {
            OffsetDays = -6,
            BlackoutDates = [.. Enumerable.Range(0, 400).Select(d => new DateOnly(2027, 1, 1).AddDays(d))],
            NotBefore = Schedules.Utc(2027, 1, 1),
            NotAfter = Schedules.Utc(2028, 1, 1),
        };

        var error = Assert.Single(ScheduleValidator.Validate(schedule));
        Assert.Contains("as little as PT2H apart", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneOffScheduleHasNoGap()
    {
        Assert.Null(StartGaps.Shortest(new WindowSchedule { At = new DateTime(2027, 5, 1, 22, 0, 0), TimeZone = "UTC", Duration = TimeSpan.FromHours(24) }, TimeSpan.FromHours(24)));
    }

    /// <summary>The worst case for the walk: a daily start that never overlaps, checked from 1970 to 2199.</summary>
    [Fact]
    public void CheckingTwoCenturiesOfDailyStartsIsCheap()
    {
        var watch = Stopwatch.StartNew();
        Assert.Empty(ScheduleValidator.Validate(Schedule("0 0 22 * * ?", "PT24H", "Asia/Kolkata")));
        Assert.Empty(ScheduleValidator.Validate(Schedule("0 0 22 * * ?", "PT23H", "Europe/Berlin")));
        output.WriteLine($"two validations over 1970-2199: {watch.ElapsedMilliseconds} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{watch.ElapsedMilliseconds} ms");
    }
}
