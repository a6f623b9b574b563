namespace Orchestrator.Core.Tests.Text;

/// <summary>The one rule for text people read.</summary>
public sealed class FreeTextTests
{
    [Theory]
    [InlineData("\u202A")] [InlineData("\u202B")] [InlineData("\u202C")] [InlineData("\u202D")] [InlineData("\u202E")]
    [InlineData("\u2066")] [InlineData("\u2067")] [InlineData("\u2068")] [InlineData("\u2069")]
    [InlineData("\u200B")] [InlineData("\u200C")] [InlineData("\u200D")] [InlineData("\u2060")] [InlineData("\uFEFF")]
    [InlineData("\u200E")] [InlineData("\u200F")] [InlineData("\u061C")] [InlineData("\u2028")] [InlineData("\u2029")]
    [InlineData("\u0000")] [InlineData("\u0007")] [InlineData("\u001B")] [InlineData("\u007F")] [InlineData("\u0085")] [InlineData("\u009B")]
    public void EveryUnsafeCharacterIsRefusedWithItsCodePointNamed(string c)
    {
        var errors = new List<FieldError>();

        Assert.False(FreeText.Validate($"ab{c}cd", "description", errors, multiLine: true));

        var error = Assert.Single(errors);
        Assert.Equal("description", error.Field);
        Assert.Contains($"U+{(int)c[0]:X4}", error.Message, StringComparison.Ordinal);
        Assert.Contains("position 3", error.Message, StringComparison.Ordinal);
        Assert.Equal($"ab{FreeText.Replacement}cd", FreeText.Sanitize($"ab{c}cd"));
    }

    [Theory]
    [InlineData(0xD800)]
    [InlineData(0xDC00)]
    public void AnUnpairedSurrogateIsRefused(int code)
    {
        // Built here: test data serialization would replace a lone surrogate before the test saw it.
        var text = $"ab{(char)code}cd";

        Assert.Contains($"U+{code:X4}", FreeText.Problem(text), StringComparison.Ordinal);
        Assert.Equal($"ab{FreeText.Replacement}cd", FreeText.Sanitize(text));
        Assert.Null(FreeText.Problem($"ab{(char)0xD83D}{(char)0xDE80}cd"));
    }

    [Theory]
    [InlineData("Berlin – floor 3 (ring 1)")]
    [InlineData("Zürich · Genève · 東京 · القاهرة")]
    [InlineData("emoji 🚀 are a pair of surrogates")]
    [InlineData("")]
    public void OrdinaryTextIsClean(string text)
    {
        Assert.Null(FreeText.Problem(text));
        Assert.Same(text, FreeText.Sanitize(text));
    }

    [Fact]
    public void LineBreaksAndTabsAreTextOnlyWhereMultiLineTextIsAccepted()
    {
        Assert.Null(FreeText.Problem("line one\r\n\tline two", multiLine: true));
        Assert.NotNull(FreeText.Problem("line one\nline two"));
        Assert.Equal("a\nb", FreeText.Sanitize("a\nb"));
    }

    [Theory]
    [InlineData("patch\u202Eyadseut")]
    [InlineData("\uFEFFgroup")]
    [InlineData("zero\u200Bwidth")]
    [InlineData("tab\there")]
    public void NamesRefuseItNamingTheCodePoint(string name)
    {
        var errors = new List<FieldError>();

        Names.Validate(name, "name", errors);

        Assert.Contains("U+", Assert.Single(errors).Message, StringComparison.Ordinal);
    }
}
