using Orchestrator.Core.Groups;

namespace Orchestrator.Core.Tests.Groups;

/// <summary>Regression: 256 rules of N.0.0.0/8 each passed the per-rule bound and together matched
/// every endpoint. The total a group's CIDRs cover, overlaps counted once, is bounded too.</summary>
public sealed class GroupCidrTotalTests
{
    private static GroupDefinition WithCidrs(IEnumerable<string> cidrs) => new("site", null, [], cidrs.ToList(), []);

    [Fact]
    public void TwoHundredFiftySixSlashEightsAreRefusedNamingTheTotalAndTheBound()
    {
        var error = Assert.Single(GroupValidator.Validate(WithCidrs(Enumerable.Range(0, 256).Select(n => $"{n}.0.0.0/8"))));

        Assert.Equal("cidrs", error.Field);
        Assert.Contains("4,294,967,296", error.Message, StringComparison.Ordinal);
        Assert.Contains("33,554,432", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllOfRfc1918FitsAndTwoSlashEightsAreTheBound()
    {
        Assert.Empty(GroupValidator.Validate(WithCidrs(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])));
        Assert.Empty(GroupValidator.Validate(WithCidrs(["10.0.0.0/8", "11.0.0.0/8"])));
        Assert.Equal("cidrs", Assert.Single(GroupValidator.Validate(WithCidrs(["10.0.0.0/8", "11.0.0.0/8", "12.0.0.0/32"]))).Field);
    }

    [Fact]
    public void OverlapsAreCountedOnce()
    {
        // 10/8 three times, and networks inside it, are still one /8; with 11/8 that is the bound exactly.
        Assert.Empty(GroupValidator.Validate(WithCidrs(["10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8", "10.255.255.255/32", "11.0.0.0/8", "10.0.0.0/8"])));
        Assert.Equal(((long)1 << 25, UInt128.Zero), CidrSpace.Total(new[] { "10.128.0.0/9", "10.0.0.0/8", "11.0.0.0/8", "11.0.0.0/9" }.Select(c => System.Net.IPNetwork.Parse(c))));
    }

    [Fact]
    public void IPv4MappedRulesCountAsIPv4Space()
    {
        var (v4, v6) = CidrSpace.Total(new[] { "::ffff:10.0.0.0/104", "10.0.0.0/8" }.Select(c => System.Net.IPNetwork.Parse(c)));

        Assert.Equal(1L << 24, v4);
        Assert.Equal(UInt128.Zero, v6);
    }

    [Fact]
    public void IPv6IsBoundedAtTwoSlashThirtyTwos()
    {
        Assert.Empty(GroupValidator.Validate(WithCidrs(["2001:db8::/32", "2001:db9::/32", "2001:db8:1::/48"])));
        var error = Assert.Single(GroupValidator.Validate(WithCidrs(["2001:db8::/32", "2001:db9::/32", "2001:dba::/64"])));
        Assert.Equal("cidrs", error.Field);
        Assert.Contains("2^97", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AThousandSlashTwentyFoursStayWellUnderTheBound()
    {
        // The per-rule limit (1,000 rules) with /24s: 256,000 addresses, well within the bound.
        Assert.Empty(GroupValidator.Validate(WithCidrs(Enumerable.Range(0, 1_000).Select(n => $"10.{n / 256}.{n % 256}.0/24"))));
    }
}
