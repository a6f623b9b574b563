namespace Orchestrator.Core.Tests.Windows;

/// <summary>Window durations, cutoffs and ad-hoc runs are ISO-8601 durations.</summary>
public sealed class IsoDurationsTests
{
    [Theory]
    [InlineData("PT4H", 240)]
    [InlineData("PT90M", 90)]
    [InlineData("PT1H30M", 90)]
    [InlineData("P1D", 1_440)]
    [InlineData("PT0S", 0)]
    [InlineData("PT5M", 5)]
    public void IsoDurationsParse(string text, int minutes)
    {
        Assert.True(IsoDurations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMinutes(minutes), duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("4h")]
    [InlineData("04:00:00")]
    [InlineData("pt4h")]
    [InlineData("PT")]
    [InlineData("P")]
    [InlineData("-PT4H")]
    [InlineData("P99999999999D")]
    public void OtherSpellingsAreRefused(string? text)
    {
        Assert.False(IsoDurations.TryParse(text, out _));
    }

    [Theory]
    [InlineData(90, "PT1H30M")]
    [InlineData(240, "PT4H")]
    [InlineData(1_440, "P1D")]
    [InlineData(0, "PT0S")]
    public void DurationsFormatAsIso(int minutes, string expected)
    {
        Assert.Equal(expected, IsoDurations.Format(TimeSpan.FromMinutes(minutes)));
    }
}
