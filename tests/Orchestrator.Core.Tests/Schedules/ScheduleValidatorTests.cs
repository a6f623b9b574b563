using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

public class ScheduleValidatorTests
{
    private static readonly WindowSchedule Valid = new()
    {
        Cron = "0 0 22 ? * TUE#2",
        TimeZone = "Europe/Berlin",
        OffsetDays = 2,
        Duration = TimeSpan.FromHours(4),
        Cutoff = TimeSpan.FromMinutes(30),
        BlackoutDates = [new DateOnly(2027, 12, 16)],
        NotBefore = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        NotAfter = new DateTimeOffset(2028, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void ValidRecurringAndOneOffSchedulesHaveNoErrors()
    {
        Assert.Empty(ScheduleValidator.Validate(Valid));
        Assert.Empty(ScheduleValidator.Validate(Valid with { Cron = null, At = new DateTime(2027, 5, 1, 22, 0, 0) }));
        Assert.Empty(ScheduleValidator.Validate(Valid with { OffsetDays = -6, Duration = TimeSpan.FromHours(24), Cutoff = TimeSpan.FromHours(24) }));
        Assert.Empty(ScheduleValidator.Validate(Valid with { Duration = TimeSpan.FromMinutes(5), Cutoff = TimeSpan.Zero, NotBefore = null, NotAfter = null }));
    }

    [Fact]
    public void NeitherCronNorAtIsAnError()
    {
        var errors = ScheduleValidator.Validate(Valid with { Cron = null });

        Assert.Equal(["cron", "at"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Contains("exactly one of cron", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void BothCronAndAtIsAnError()
    {
        var errors = ScheduleValidator.Validate(Valid with { At = new DateTime(2027, 5, 1, 22, 0, 0) });

        Assert.Equal(["cron", "at"], errors.Select(e => e.Field));
    }

    [Fact]
    public void CronThatDoesNotParseReportsTheParserMessage()
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { Cron = "0 0 22 ? * 8" }));

        Assert.Equal(new FieldError("cron", "day-of-week: '8' is out of range; accepted 1-7 or SUN-SAT"), error);
    }

    [Theory]
    [InlineData("0 0 0 30 FEB ?")]
    [InlineData("0 0 0 31 APR,JUN ?")]
    [InlineData("0 0 0 ? FEB MON#5 2027")]
    public void CronThatCanNeverFireIsAnError(string cron)
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { Cron = cron, NotBefore = null, NotAfter = null }));

        Assert.Equal("cron", error.Field);
        Assert.Contains("never fires", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CronWithNoStartInsideTheValidityPeriodIsAnError()
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { Cron = "0 0 22 ? * TUE#2 2030" }));

        Assert.Equal("cron", error.Field);
        Assert.Contains("between notBefore and notAfter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneOffOutsideTheValidityPeriodIsAnError()
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { Cron = null, At = new DateTime(2029, 5, 1, 22, 0, 0) }));

        Assert.Equal("at", error.Field);
    }

    [Fact]
    public void AtWithAnOffsetOrUtcKindIsAnError()
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { Cron = null, At = new DateTime(2027, 5, 1, 22, 0, 0, DateTimeKind.Utc) }));

        Assert.Equal("at", error.Field);
        Assert.Contains("local date-time", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Mars/Olympus")]
    [InlineData("")]
    [InlineData("europe/berlin ")]
    public void UnknownTimeZoneIsAnError(string zone)
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { TimeZone = zone }));

        Assert.Equal(new FieldError("timeZone", $"unknown time zone '{zone}'; use an IANA id such as Europe/Berlin"), error);
    }

    [Fact]
    public void WindowsTimeZoneIdIsRefusedWithItsIanaEquivalent()
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { TimeZone = "W. Europe Standard Time" }));

        Assert.Equal("timeZone", error.Field);
        Assert.Contains("Europe/Berlin", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-7)]
    [InlineData(30)]
    public void OffsetDaysOutsideMinusSixToPlusSixIsAnError(int offset)
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { OffsetDays = offset }));

        Assert.Equal("offsetDays", error.Field);
        Assert.Contains("accepted -6 to +6", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(24 * 60 + 1)]
    public void DurationOutsideFiveMinutesToTwentyFourHoursIsAnError(int minutes)
    {
        var errors = ScheduleValidator.Validate(Valid with { Duration = TimeSpan.FromMinutes(minutes), Cutoff = TimeSpan.Zero });

        var error = Assert.Single(errors);
        Assert.Equal("duration", error.Field);
        Assert.Contains("accepted PT5M to PT24H", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabSettingMayLowerTheMinimumDuration()
    {
        var schedule = Valid with { Duration = TimeSpan.FromMinutes(1), Cutoff = TimeSpan.Zero };

        Assert.Single(ScheduleValidator.Validate(schedule));
        Assert.Empty(ScheduleValidator.Validate(schedule, minimumDuration: TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4 * 60 + 1)]
    public void CutoffOutsideZeroToDurationIsAnError(int minutes)
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { Cutoff = TimeSpan.FromMinutes(minutes) }));

        Assert.Equal("cutoff", error.Field);
        Assert.Contains("up to the duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAfterNotLaterThanNotBeforeIsAnError()
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { NotAfter = Valid.NotBefore }));

        Assert.Equal(new FieldError("notAfter", "notAfter must be later than notBefore"), error);
    }

    [Fact]
    public void SeveralProblemsAreAllReported()
    {
        var errors = ScheduleValidator.Validate(Valid with { TimeZone = "Nowhere", OffsetDays = 9, Duration = TimeSpan.FromMinutes(1) });

        Assert.Equal(["timeZone", "offsetDays", "duration", "cutoff"], errors.Select(e => e.Field));
    }
}
