using System.Net;
using Orchestrator.Core.Endpoints;
using Orchestrator.Core.Groups;

namespace Orchestrator.Core.Tests.Groups;

public sealed class GroupMembershipTests
{
    private static readonly EndpointInfo[] Inventory =
    [
        Endpoint(1, "pc-static.corp.example", ["198.18.1.1"]),
        Endpoint(2, "pc-cidr.corp.example", ["198.18.2.7"]),
        Endpoint(3, "pc-tag.corp.example", ["198.18.3.1"], "Ring2"),
        Endpoint(4, "pc-v6.corp.example", ["2001:db8:1::7"]),
        Endpoint(5, "pc-outside.corp.example", ["198.18.9.1", "2001:db8:2::1"], "ring3"),
        Endpoint(6, "pc-all-rules.corp.example", ["198.18.2.8"], "ring2"),
    ];

    [Fact]
    public void MembersAreTheUnionOfHostnameCidrAndTagRulesInInventoryOrder()
    {
        var group = new GroupDefinition("g", null, ["pc-static.corp.example", "pc-all-rules.corp.example"], ["198.18.2.0/24", "2001:db8:1::/48"], ["ring2"]);

        var members = GroupMembership.Resolve(group, Inventory);

        Assert.Equal([1L, 2, 3, 4, 6], members.Select(m => m.Id));
    }

    [Fact]
    public void HostnamesAndTagsMatchWhateverTheirCase()
    {
        var group = new GroupDefinition("g", null, ["PC-STATIC.Corp.Example"], [], ["RING3"]);

        Assert.Equal([1L, 5], GroupMembership.Resolve(group, Inventory).Select(m => m.Id));
    }

    [Fact]
    public void AnIPv6CidrMatchesIPv6AddressesOnly()
    {
        var group = new GroupDefinition("g", null, [], ["2001:db8::/32"], []);

        Assert.Equal([4L, 5], GroupMembership.Resolve(group, Inventory).Select(m => m.Id));
    }

    [Fact]
    public void AnIPv4CidrDoesNotMatchIPv6Addresses()
    {
        var group = new GroupDefinition("g", null, [], ["198.18.9.0/24"], []);

        Assert.Equal([5L], GroupMembership.Resolve(group, Inventory).Select(m => m.Id));
    }

    [Fact]
    public void AHostnameRuleMatchesTheWholeNameOnly()
    {
        var group = new GroupDefinition("g", null, ["pc-static", "corp.example"], [], []);

        Assert.Empty(GroupMembership.Resolve(group, Inventory));
    }

    [Fact]
    public void AStoredCidrThatNoLongerValidatesMatchesNothingInsteadOfThrowing()
    {
        var group = new GroupDefinition("g", null, [], ["banana", "0.0.0.0/0"], ["ring3"]);

        Assert.Equal([5L], GroupMembership.Resolve(group, Inventory).Select(m => m.Id));
    }

    private static EndpointInfo Endpoint(long id, string hostname, string[] addresses, params string[] tags) =>
        new(id, hostname, addresses.Select(IPAddress.Parse).ToList(), "windows", tags);
}
