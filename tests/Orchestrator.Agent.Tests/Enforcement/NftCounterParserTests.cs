using Orchestrator.Agent.Enforcement;

namespace Orchestrator.Agent.Tests.Enforcement;

public sealed class NftCounterParserTests
{
    // Shape taken from `nft -j list table inet orchestrator` on nft 1.0.6.
    private const string Listing = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
        {"table": {"family": "inet", "name": "orchestrator", "handle": 1}},
        {"set": {"family": "inet", "name": "guarded_ports", "table": "orchestrator", "type": "inet_service", "handle": 2, "elem": [7680]}},
        {"set": {"family": "inet", "name": "allowed4", "table": "orchestrator", "type": ["ipv4_addr", "inet_service"], "handle": 3, "flags": ["timeout"], "elem": [{"elem": {"val": {"concat": ["198.18.0.2", 7680]}, "timeout": 3, "expires": 2}}]}},
        {"set": {"family": "inet", "name": "served4", "table": "orchestrator", "type": "ipv4_addr", "handle": 5, "size": 65536, "flags": ["timeout"], "timeout": 3600, "elem": [{"elem": {"val": "198.18.0.2", "expires": 3599, "counter": {"packets": 12, "bytes": 200640}}}]}},
        {"set": {"family": "inet", "name": "served6", "table": "orchestrator", "type": "ipv6_addr", "handle": 6, "size": 65536, "flags": ["timeout"], "timeout": 3600, "elem": [{"elem": {"val": "2001:DB8::2", "expires": 3599, "counter": {"packets": 1, "bytes": 80}}}]}},
        {"set": {"family": "inet", "name": "received4", "table": "orchestrator", "type": "ipv4_addr", "handle": 7, "size": 65536, "flags": ["timeout"], "timeout": 3600, "elem": [{"elem": {"val": "198.18.0.2", "expires": 3599, "counter": {"packets": 4, "bytes": 999}}}]}},
        {"set": {"family": "inet", "name": "blocked4", "table": "orchestrator", "type": ["ipv4_addr", "inet_service"], "handle": 9, "size": 65536, "flags": ["timeout"], "timeout": 3600, "elem": [{"elem": {"val": {"concat": ["198.18.0.3", 7680]}, "expires": 3597, "counter": {"packets": 2, "bytes": 120}}}]}},
        {"set": {"family": "inet", "name": "blocked6", "table": "orchestrator", "type": ["ipv6_addr", "inet_service"], "handle": 10, "size": 65536, "flags": ["timeout"], "timeout": 3600}}]}
        """;

    [Fact]
    public void Counters_are_read_per_address_with_bytes_for_traffic_and_packets_for_blocked_attempts()
    {
        var counters = NftCounterParser.Parse(Listing);

        Assert.Equal(new Dictionary<string, long> { ["198.18.0.2"] = 200640, ["2001:db8::2"] = 80 }, counters.ServedBytes);
        Assert.Equal(new Dictionary<string, long> { ["198.18.0.2"] = 999 }, counters.ReceivedBytes);
        Assert.Equal(new Dictionary<BlockedKey, long> { [new BlockedKey("198.18.0.3", 7680)] = 2 }, counters.BlockedPackets);
    }
}
