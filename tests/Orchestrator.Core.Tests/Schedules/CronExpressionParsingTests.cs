using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

public class CronExpressionParsingTests
{
    [Theory]
    [InlineData("0 0 22 ? * TUE#2")]
    [InlineData("0 0 22 ? * 3#2")]
    [InlineData("0 0 22 ? * tue#2")]
    [InlineData("0 0 22 L * ?")]
    [InlineData("0 0 22 L-3 * ?")]
    [InlineData("0 0 22 LW * ?")]
    [InlineData("0 0 22 L-2W * ?")]
    [InlineData("0 0 12 15W * ?")]
    [InlineData("0 0 12 1W * ?")]
    [InlineData("0 15 10 ? * 6L")]
    [InlineData("0 15 10 ? * FRIL")]
    [InlineData("0 15 10 ? * L")]
    [InlineData("0 0/30 1-3 ? * SUN")]
    [InlineData("5-40/5 */5 0/2 * JAN-MAR,JUL ?")]
    [InlineData("0 0 22-2 ? * FRI-MON")]
    [InlineData("0 0 8 1,15 * ? 2027")]
    [InlineData("0 0 8 1 1 ? 2027-2030/2")]
    [InlineData("  0   0 8 * * ?  ")]
    [InlineData("0 0 0 ? * 1,7")]
    [InlineData("59 59 23 31 DEC ? 2199")]
    public void AcceptsQuartzSyntax(string text)
    {
        Assert.True(CronExpression.TryParse(text, out var cron, out var error), error);
        Assert.NotNull(cron);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("0 0 22 ? * 8", "day-of-week: '8' is out of range; accepted 1-7 or SUN-SAT")]
    [InlineData("0 0 22 ? * 0", "day-of-week: '0' is out of range; accepted 1-7 or SUN-SAT")]
    [InlineData("60 0 22 * * ?", "second: '60' is out of range; accepted 0-59")]
    [InlineData("0 60 22 * * ?", "minute: '60' is out of range; accepted 0-59")]
    [InlineData("0 0 24 * * ?", "hour: '24' is out of range; accepted 0-23")]
    [InlineData("0 0 22 32 * ?", "day-of-month: '32' is out of range; accepted 1-31")]
    [InlineData("0 0 22 0 * ?", "day-of-month: '0' is out of range; accepted 1-31")]
    [InlineData("0 0 22 * 13 ?", "month: '13' is out of range; accepted 1-12 or JAN-DEC")]
    [InlineData("0 0 22 * 1 ? 1969", "year: '1969' is out of range; accepted 1970-2199")]
    [InlineData("0 0 22 * 1 ? 2200", "year: '2200' is out of range; accepted 1970-2199")]
    public void OutOfRangeValueNamesTheFieldAndWhatItAccepts(string text, string expected)
    {
        Assert.False(CronExpression.TryParse(text, out var cron, out var error));
        Assert.Null(cron);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(null, "expected 6 or 7 fields")]
    [InlineData("", "expected 6 or 7 fields")]
    [InlineData("0 0 22 * *", "expected 6 or 7 fields")]
    [InlineData("0 0 22 * * ? 2027 x", "expected 6 or 7 fields")]
    [InlineData("0 0 22 * * *", "day-of-month/day-of-week:")]
    [InlineData("0 0 22 ? * ?", "day-of-month/day-of-week:")]
    [InlineData("0 0 22 15 * MON", "day-of-month/day-of-week:")]
    [InlineData("? 0 22 * * ?", "second:")]
    [InlineData("0 x 22 * * ?", "minute:")]
    [InlineData("0 0 1-2-3 * * ?", "hour:")]
    [InlineData("0 0 */0 * * ?", "hour:")]
    [InlineData("0 0 */25 * * ?", "hour:")]
    [InlineData("0 0 22 1-5W * ?", "day-of-month:")]
    [InlineData("0 0 22 L,15 * ?", "day-of-month:")]
    [InlineData("0 0 22 L-31 * ?", "day-of-month:")]
    [InlineData("0 0 22 32W * ?", "day-of-month:")]
    [InlineData("0 0 22 LX * ?", "day-of-month:")]
    [InlineData("0 0 22 1,,2 * ?", "day-of-month:")]
    [InlineData("0 0 22 * FOO ?", "month:")]
    [InlineData("0 0 22 ? * TUE#6", "day-of-week:")]
    [InlineData("0 0 22 ? * TUE#0", "day-of-week:")]
    [InlineData("0 0 22 ? * TUE#2,THU#2", "day-of-week:")]
    [InlineData("0 0 22 ? * 8L", "day-of-week:")]
    [InlineData("0 0 22 ? * MON-FRIL", "day-of-week:")]
    [InlineData("0 0 22 ? * TUESDAY", "day-of-week:")]
    [InlineData("0 0 22 * * ? 2030-2027", "year:")]
    [InlineData("0 0 22 * * ? abc", "year:")]
    public void InvalidExpressionNamesTheWrongField(string? text, string expectedPrefix)
    {
        Assert.False(CronExpression.TryParse(text, out _, out var error));
        Assert.StartsWith(expectedPrefix, error, StringComparison.Ordinal);
        Assert.Contains("accepted", error, StringComparison.Ordinal);
    }

    /// <summary>Regression: Quartz 4.7.3 refuses these or reads them otherwise than they look; Core refuses them.</summary>
    [Theory]
    [InlineData("0 0 22 1 FEB/4 ?", "month: 'FEB/4' has a step after a name")]
    [InlineData("0 0 22 1 JAN-MAR/2 ?", "month: 'JAN-MAR/2' has a step after a name")]
    [InlineData("0 0 22 ? * MON/2", "day-of-week: 'MON/2' has a step after a name")]
    [InlineData("0 0 22 ? * 2-FRI", "day-of-week: range '2-FRI' mixes a number and a name")]
    [InlineData("0 0 22 1 AUG-8 ?", "month: range 'AUG-8' mixes a number and a name")]
    [InlineData("*/60 0 22 * * ?", "second: step '/60' is not understood; accepted a step of 1-59")]
    [InlineData("0 */60 22 * * ?", "minute: step '/60' is not understood; accepted a step of 1-59")]
    [InlineData("0 0 */24 * * ?", "hour: step '/24' is not understood; accepted a step of 1-23")]
    public void RefusesWhatQuartzRefusesOrMisreads(string text, string expectedPrefix)
    {
        Assert.False(CronExpression.TryParse(text, out _, out var error));
        Assert.StartsWith(expectedPrefix, error, StringComparison.Ordinal);
        Assert.Contains("accepted", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseThrowsFormatExceptionWithTheError()
    {
        var exception = Assert.Throws<FormatException>(() => CronExpression.Parse("0 0 22 ? * 8"));
        Assert.Contains("day-of-week: '8' is out of range", exception.Message, StringComparison.Ordinal);
    }
}
