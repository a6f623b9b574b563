using System.Net;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Enforcement;

public sealed class OpeningValidatorTests
{
    private static readonly HashSet<IPAddress> Own = [IPAddress.Parse("198.18.0.1"), IPAddress.Parse("2001:db8::1")];

    private static OpeningV1 Opening(string peer, int port = 7680, int seconds = 60, string transport = "tcp") =>
        new(42, port, transport, [peer], seconds);

    private static IReadOnlyList<PeerAllowance> Validate(params OpeningV1[] openings) =>
        OpeningValidator.ToAllowances(openings, [7680], Own);

    [Theory]
    [InlineData("198.18.0.0/24", "range")]
    [InlineData("198.18.0.2/32", "range")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.0.0.0/0", "range")]
    [InlineData("::", "unspecified")]
    [InlineData("::/0", "range")]
    [InlineData("any", "not an IP address")]
    [InlineData("198.18.0.2-198.18.0.9", "range")]
    [InlineData("*", "range")]
    [InlineData("", "empty")]
    [InlineData("garbage", "not an IP address")]
    [InlineData("10.1", "dotted-quad")]
    [InlineData("0x0a.0.0.1", "dotted-quad")]
    [InlineData("198.18.0.1", "own addresses")]
    [InlineData("2001:db8::1", "own addresses")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("fe80::1%eth0", "scoped")]
    [InlineData("::ffff:198.18.0.2", "IPv4-mapped")]
    [InlineData("2001:DB8:0::2", "canonical")]
    [InlineData("169.254.0.7", "link-local")]
    [InlineData("fe80::7", "link-local")]
    [InlineData("0.0.0.7", "0.0.0.0/8")]
    public void A_peer_that_is_not_a_single_remote_address_refuses_the_whole_state(string peer, string reason)
    {
        var refused = Assert.Throws<OpeningRefusedException>(() => Validate(Opening("198.18.0.2"), Opening(peer)));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.Contains("nothing applied", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void A_port_outside_1_to_65535_is_refused(int port) =>
        Assert.Contains("outside 1..65535", Assert.Throws<OpeningRefusedException>(() => Validate(Opening("198.18.0.2", port))).Message, StringComparison.Ordinal);

    [Fact]
    public void A_port_the_agent_does_not_guard_is_refused_because_it_could_not_be_opened_selectively() =>
        Assert.Contains("not guarded", Assert.Throws<OpeningRefusedException>(() => Validate(Opening("198.18.0.2", 8080))).Message, StringComparison.Ordinal);

    [Fact]
    public void A_transport_other_than_tcp_is_refused() =>
        Assert.Contains("transport 'udp'", Assert.Throws<OpeningRefusedException>(() => Validate(Opening("198.18.0.2", transport: "udp"))).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void An_expired_opening_is_skipped_not_refused(int seconds) =>
        Assert.Equal([new PeerAllowance("198.18.0.3", false, 7680, 30)], Validate(Opening("198.18.0.2", seconds: seconds), Opening("198.18.0.3", seconds: 30)));

    [Fact]
    public void A_peer_in_overlapping_runs_gets_the_longest_remaining_time_once() =>
        Assert.Equal(
            [new PeerAllowance("198.18.0.2", false, 7680, 900), new PeerAllowance("2001:db8::2", true, 7680, 60)],
            Validate(Opening("198.18.0.2", seconds: 60), Opening("198.18.0.2", seconds: 900), Opening("2001:db8::2")));
}
