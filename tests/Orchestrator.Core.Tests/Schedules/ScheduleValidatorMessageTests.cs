using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

/// <summary>Duration messages speak ISO-8601 (PT5M), the spelling the API and the files accept; TimeSpan's "00:05:00"
/// cannot be written back into a file.</summary>
public sealed class ScheduleValidatorMessageTests
{
    private static readonly WindowSchedule Valid = new()
    {
        Cron = "0 0 22 ? * TUE#2",
        TimeZone = "Europe/Berlin",
        Duration = TimeSpan.FromHours(4),
        Cutoff = TimeSpan.FromMinutes(30),
    };

    [Theory]
    [InlineData(4, "PT4M is out of range; accepted PT5M to PT24H")]
    [InlineData(24 * 60 + 1, "PT24H1M is out of range; accepted PT5M to PT24H")]
    public void Duration_out_of_range_is_told_in_iso_8601(int minutes, string message)
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { Duration = TimeSpan.FromMinutes(minutes), Cutoff = TimeSpan.Zero }));

        Assert.Equal(new FieldError("duration", message), error);
    }

    [Fact]
    public void A_lowered_minimum_is_told_in_iso_8601_too()
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { Duration = TimeSpan.FromSeconds(30), Cutoff = TimeSpan.Zero }, TimeSpan.FromMinutes(1)));

        Assert.Equal(new FieldError("duration", "PT30S is out of range; accepted PT1M to PT24H"), error);
    }

    [Fact]
    public void Cutoff_longer_than_the_duration_is_told_in_iso_8601()
    {
        var error = Assert.Single(ScheduleValidator.Validate(Valid with { Cutoff = TimeSpan.FromMinutes(270) }));

        Assert.Equal(new FieldError("cutoff", "PT4H30M is out of range; accepted 0 up to the duration (PT4H)"), error);
    }
}
