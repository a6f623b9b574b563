using Orchestrator.Agent.Enforcement;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>Verification reads interval elements back in the agent's own range text, whichever way nft prints them.</summary>
public sealed class NftTableShapeRangesTests
{
    // Elements as nft 1.0.6 listed them (`nft -j list table`) after adding 198.18.0.0-198.18.0.255, 198.18.2.1-198.18.2.2,
    // 198.18.5.7 and 2001:db8::1-2001:db8::ff, 2001:db8::100-2001:db8::1ff: a range that is a whole prefix comes back as one.
    private const string Listing = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
        {"table": {"family": "inet", "name": "orchestrator", "handle": 1}},
        {"set": {"family": "inet", "name": "allowed6", "table": "orchestrator", "type": ["ipv6_addr", "inet_service"], "handle": 1, "flags": ["interval", "timeout"], "elem": [
          {"elem": {"val": {"concat": [{"range": ["2001:db8::1", "2001:db8::ff"]}, 7680]}, "timeout": 60, "expires": 59}},
          {"elem": {"val": {"concat": [{"prefix": {"addr": "2001:db8::100", "len": 120}}, 7680]}, "timeout": 60, "expires": 58}}]}},
        {"set": {"family": "inet", "name": "allowed4", "table": "orchestrator", "type": ["ipv4_addr", "inet_service"], "handle": 2, "flags": ["interval", "timeout"], "elem": [
          {"elem": {"val": {"concat": [{"prefix": {"addr": "198.18.0.0", "len": 24}}, 7680]}, "timeout": 60, "expires": 59}},
          {"elem": {"val": {"concat": [{"range": ["198.18.2.1", "198.18.2.2"]}, 7680]}, "timeout": 60, "expires": 57}},
          {"elem": {"val": {"concat": ["198.18.5.7", 7680]}, "timeout": 30, "expires": 29}}]}}]}
        """;

    [Fact]
    public void Ranges_prefixes_and_single_addresses_are_read_as_the_ranges_the_agent_installed()
    {
        var shape = NftTableShape.Parse(Listing);

        Assert.Equal(
            new Dictionary<(string, int), long>
            {
                [("2001:db8::1-2001:db8::ff", 7680)] = 59,
                [("2001:db8::100-2001:db8::1ff", 7680)] = 58,
                [("198.18.0.0-198.18.0.255", 7680)] = 59,
                [("198.18.2.1-198.18.2.2", 7680)] = 57,
                [("198.18.5.7", 7680)] = 29,
            },
            shape.Allowed);
    }

    [Fact]
    public void A_live_range_wider_than_the_installed_one_is_a_difference()
    {
        var shape = NftTableShape.Parse(Listing);
        var expected = shape.Allowed.ToDictionary(e => e.Key, e => e.Value);
        expected.Remove(("198.18.0.0-198.18.0.255", 7680));
        expected[("198.18.0.0-198.18.0.254", 7680)] = 59;

        var difference = NftTableShape.Difference(shape, shape, expected);

        Assert.Equal("an opening for 198.18.0.0-198.18.0.255 port 7680 that the agent did not install", difference);
        Assert.Null(NftTableShape.Difference(shape, shape, shape.Allowed));
    }
}
