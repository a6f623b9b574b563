using System.Net;
using Orchestrator.Agent.Windows.Firewall;

namespace Orchestrator.Agent.Tests.Windows.Firewall;

public sealed class AddressComplementTests
{
    private static IReadOnlyList<string> Of(params string[] addresses) => AddressComplement.Of(addresses.Select(IPAddress.Parse));

    [Fact]
    public void No_allowed_peer_means_the_guard_refuses_any() => Assert.Equal(["Any"], Of());

    [Fact]
    public void Adjacent_and_unordered_peers_leave_exact_gaps_and_the_whole_other_family() =>
        Assert.Equal(
            ["0.0.0.0-10.0.0.0", "10.0.0.3-10.0.0.4", "10.0.0.6-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
            Of("10.0.0.5", "10.0.0.1", "10.0.0.2", "10.0.0.1"));

    [Fact]
    public void The_first_and_last_addresses_of_a_family_leave_no_empty_range() =>
        Assert.Equal(
            ["0.0.0.1-255.255.255.254", "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"],
            Of("0.0.0.0", "255.255.255.255", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));

    [Fact]
    public void A_single_address_gap_is_written_as_the_address() =>
        Assert.Equal(["0.0.0.0-10.0.0.0", "10.0.0.2", "10.0.0.4-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"], Of("10.0.0.1", "10.0.0.3"));

    [Fact]
    public void Every_excluded_address_is_outside_every_range_and_its_neighbours_inside()
    {
        var peers = new[] { "198.18.0.2", "198.18.0.3", "198.18.7.9", "2001:db8::7", "2001:db8::8" };
        var ranges = Of(peers);

        foreach (var peer in peers.Select(IPAddress.Parse))
        {
            Assert.DoesNotContain(ranges, r => Covers(r, peer));
        }

        Assert.Contains(ranges, r => Covers(r, IPAddress.Parse("198.18.0.4")));
        Assert.Contains(ranges, r => Covers(r, IPAddress.Parse("2001:db8::6")));
    }

    private static bool Covers(string range, IPAddress address)
    {
        var parts = range.Split('-');
        var first = IPAddress.Parse(parts[0]);
        var last = IPAddress.Parse(parts[^1]);
        return first.AddressFamily == address.AddressFamily && Compare(first, address) <= 0 && Compare(address, last) <= 0;
    }

    private static int Compare(IPAddress a, IPAddress b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());
}
