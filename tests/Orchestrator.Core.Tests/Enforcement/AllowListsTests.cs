using System.Net;
using Orchestrator.Core.Enforcement;

namespace Orchestrator.Core.Tests.Enforcement;

public sealed class AllowListsTests
{
    [Fact]
    public void EachMemberAllowsEveryOtherMemberButNeverItself()
    {
        var lists = AllowLists.For([Member(1, "198.18.0.1"), Member(2, "198.18.0.2", "198.18.1.2"), Member(3, "198.18.0.3")]);

        Assert.Equal(["198.18.0.2", "198.18.0.3", "198.18.1.2"], Text(lists[1]));
        Assert.Equal(["198.18.0.1", "198.18.0.3"], Text(lists[2]));
        Assert.Equal(["198.18.0.1", "198.18.0.2", "198.18.1.2"], Text(lists[3]));
    }

    [Fact]
    public void ALoneMemberAllowsNobody()
    {
        Assert.Empty(AllowLists.For([Member(1, "198.18.0.1")])[1]);
    }

    [Fact]
    public void NoMembersGiveNoLists()
    {
        Assert.Empty(AllowLists.For([]));
    }

    [Fact]
    public void AnAddressTwoMembersShareIsLeftOutForBoth()
    {
        var lists = AllowLists.For([Member(1, "198.18.0.1", "198.18.0.50"), Member(2, "198.18.0.2", "198.18.0.50"), Member(3, "198.18.0.3")]);

        Assert.Equal(["198.18.0.2", "198.18.0.3"], Text(lists[1]));
        Assert.Equal(["198.18.0.1", "198.18.0.3"], Text(lists[2]));
        Assert.Equal(["198.18.0.1", "198.18.0.2", "198.18.0.50"], Text(lists[3]));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.8.8")]
    [InlineData("::1")]
    [InlineData("255.255.255.255")]
    [InlineData("224.0.0.251")]
    [InlineData("ff02::1")]
    public void WildcardLoopbackBroadcastAndMulticastAddressesAreNeverAllowed(string bad)
    {
        var lists = AllowLists.For([Member(1, "198.18.0.1"), Member(2, "198.18.0.2", bad)]);

        Assert.Equal(["198.18.0.2"], Text(lists[1]));
        Assert.Equal(["198.18.0.1"], Text(lists[2]));
    }

    [Fact]
    public void IPv6AddressesAreAllowedAfterIPv4Ones()
    {
        var lists = AllowLists.For([Member(1, "2001:db8::1", "198.18.0.1"), Member(2, "2001:db8::2", "198.18.0.2"), Member(3, "2001:db8::10")]);

        Assert.Equal(["198.18.0.2", "2001:db8::2", "2001:db8::10"], Text(lists[1]));
        Assert.Equal(["198.18.0.1", "2001:db8::1", "2001:db8::10"], Text(lists[2]));
    }

    [Fact]
    public void AnIPv4MappedSpellingOfItsOwnAddressIsStillItsOwn()
    {
        var lists = AllowLists.For([Member(1, "198.18.0.1"), Member(2, "::ffff:198.18.0.1", "198.18.0.2")]);

        Assert.Equal(["198.18.0.2"], Text(lists[1]));
        Assert.Equal([], Text(lists[2]));
    }

    private static RunMember Member(long id, params string[] addresses) =>
        new(id, $"pc-{id}.example", addresses.Select(IPAddress.Parse).ToList());

    private static List<string> Text(IReadOnlyList<IPAddress> addresses) => addresses.Select(a => a.ToString()).ToList();
}
