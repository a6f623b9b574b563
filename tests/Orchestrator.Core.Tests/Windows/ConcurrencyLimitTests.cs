using Orchestrator.Core.Windows;

namespace Orchestrator.Core.Tests.Windows;

public sealed class ConcurrencyLimitTests
{
    [Theory]
    [InlineData("1", 1, false)]
    [InlineData("10", 10, false)]
    [InlineData(" 5 ", 5, false)]
    [InlineData("1%", 1, true)]
    [InlineData("25%", 25, true)]
    [InlineData("100%", 100, true)]
    public void CountsAndPercentagesParse(string text, int value, bool percent)
    {
        Assert.True(ConcurrencyLimit.TryParse(text, out var limit));
        Assert.Equal(new ConcurrencyLimit(value, percent), limit);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("0%")]
    [InlineData("101%")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("1.5")]
    [InlineData("10 %")]
    [InlineData("%")]
    [InlineData("abc")]
    [InlineData("99999999999")]
    public void AnythingElseIsRefused(string? text)
    {
        Assert.False(ConcurrencyLimit.TryParse(text, out _));
    }

    [Fact]
    public void ParseSaysWhatIsAccepted()
    {
        var error = Assert.Throws<FormatException>(() => ConcurrencyLimit.Parse("abc"));

        Assert.Contains(ConcurrencyLimit.Accepted, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("25%", 10, 3)]
    [InlineData("25%", 4, 1)]
    [InlineData("25%", 1, 1)]
    [InlineData("25%", 0, 1)]
    [InlineData("100%", 7, 7)]
    [InlineData("1%", 250, 3)]
    [InlineData("10", 3, 10)]
    [InlineData("10", 500, 10)]
    public void APercentageRoundsUpToAtLeastOneEndpointAndACountIsTaken(string text, int members, int expected)
    {
        Assert.Equal(expected, ConcurrencyLimit.Parse(text).For(members));
    }

    [Theory]
    [InlineData("25%")]
    [InlineData("10")]
    public void ALimitPrintsAsItParses(string text)
    {
        Assert.Equal(text, ConcurrencyLimit.Parse(text).ToString());
    }
}
