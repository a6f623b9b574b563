using Orchestrator.Core.Groups;

namespace Orchestrator.Core.Tests.Groups;

public sealed class GroupValidatorTests
{
    private static readonly GroupDefinition Valid = new("Berlin floor 1", "first floor", ["pc-1.corp.example"], ["198.18.0.0/24", "2001:db8::/64"], ["ring1"]);

    [Fact]
    public void AGroupWithEveryKindOfRuleIsValid()
    {
        Assert.Empty(GroupValidator.Validate(Valid));
        Assert.Empty(GroupValidator.Validate(Valid with { StaticMembers = [], Cidrs = [] }));
    }

    [Theory]
    [InlineData("10.0.0.0/8")]
    [InlineData("198.18.0.0/15")]
    [InlineData("198.18.0.7/32")]
    [InlineData("2001:db8::/32")]
    [InlineData("2001:db8::7/128")]
    public void CidrsOfASitesNetworksAreAccepted(string cidr)
    {
        Assert.True(GroupValidator.TryParseCidr(cidr, out var network, out var error), error);
        Assert.Equal(cidr, network.ToString());
    }

    [Theory]
    [InlineData("10.0.0.0/33", "is not a CIDR")]
    [InlineData("2001:db8::/129", "is not a CIDR")]
    [InlineData("banana", "is not a CIDR")]
    [InlineData("10.0.0.1", "is not a CIDR")]
    [InlineData("", "is not a CIDR")]
    [InlineData("10.1.2.3/8", "host bits must be zero")]
    [InlineData("2001:db8::1/64", "host bits must be zero")]
    [InlineData("0.0.0.0/0", "wider than /8")]
    [InlineData("10.0.0.0/7", "wider than /8")]
    [InlineData("::/0", "wider than /32")]
    [InlineData("2001:db8::/31", "wider than /32")]
    public void CidrsThatAreMalformedOrTooWideAreRefusedWithWhatIsAccepted(string cidr, string expected)
    {
        var error = Assert.Single(GroupValidator.Validate(Valid with { Cidrs = ["198.18.0.0/24", cidr] }));

        Assert.Equal("cidrs[1]", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AGroupNeedsAtLeastOneRule()
    {
        var error = Assert.Single(GroupValidator.Validate(Valid with { StaticMembers = [], Cidrs = [], Tags = [] }));

        Assert.Equal("staticMembers", error.Field);
        Assert.Contains("at least one rule", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" leading space")]
    [InlineData("-dash-first")]
    [InlineData("semi;colon")]
    public void NamesStartWithALetterOrDigitAndUseFewPunctuationMarks(string name)
    {
        Assert.Equal("name", Assert.Single(GroupValidator.Validate(Valid with { Name = name })).Field);
    }

    [Fact]
    public void StaticMembersAreHostnamesAndTagsFollowTheTagPattern()
    {
        var errors = GroupValidator.Validate(Valid with { StaticMembers = ["pc-1.corp.example", "pc 2"], Tags = ["ring 1"] });

        Assert.Equal(["staticMembers[1]", "tags[0]"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ADescriptionHasAtMostAThousandCharacters()
    {
        Assert.Empty(GroupValidator.Validate(Valid with { Description = new string('x', 1_000) }));
        Assert.Equal("description", Assert.Single(GroupValidator.Validate(Valid with { Description = new string('x', 1_001) })).Field);
    }
}
