using System.Text.Json;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Core.Enforcement;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>What the agent accepts as a run's peer set: exactly the set the state named, and nothing wider.</summary>
public sealed class PeerSetVerificationTests
{
    private static readonly PeerSetV1 GoldenSet = Golden<PeerSetV1>("peer-set.json");
    private static readonly PeerSetRefV1 GoldenReference = Golden<DesiredStateV1>("desired-state-peer-set.json").Openings[0].PeerSet!;

    private static T Golden<T>(string name) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name)), JsonSerializerOptions.Web)!;

    /// <summary>A set whose hash is right for its (possibly bad) ranges, so only the rule under test can refuse it.</summary>
    private static (PeerSetRefV1, PeerSetV1) Signed(long addresses, params string[] ranges)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', ranges))));
        return (new PeerSetRefV1(hash, addresses, []), new PeerSetV1(hash, ranges));
    }

    [Fact]
    public void The_protocols_golden_set_is_accepted_with_its_exact_ranges()
    {
        var (ranges, problem) = PeerSetStore.Verify(GoldenReference, GoldenSet, 1_000_000);

        Assert.Null(problem);
        Assert.Equal(GoldenSet.Ranges, ranges!.Select(r => r.ToString()));
        Assert.Equal((UInt128)GoldenReference.Addresses, AddressRanges.Count(ranges!));
    }

    [Fact]
    public void A_set_widened_in_transit_no_longer_matches_its_hash_and_is_refused()
    {
        var widened = GoldenSet with { Ranges = ["198.18.0.1-198.18.255.254", .. GoldenSet.Ranges.Skip(1)] };

        var (ranges, problem) = PeerSetStore.Verify(GoldenReference, widened, 1_000_000);

        Assert.Null(ranges);
        Assert.Contains("hash", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_set_answered_under_another_hash_is_refused()
    {
        var (ranges, problem) = PeerSetStore.Verify(GoldenReference with { Hash = new string('a', 64) }, GoldenSet, 1_000_000);

        Assert.Null(ranges);
        Assert.Contains("another hash", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.18.0.1-127.0.0.5", "ends with")]
    [InlineData("198.18.0.9-198.18.0.1", "does not run upwards")]
    [InlineData("126.255.255.1-128.0.0.1", "loopback")]
    [InlineData("198.18.0.0/24", "starts with")]
    [InlineData("0.0.0.0-255.255.255.255", "starts with")]
    [InlineData("198.18.0.1-2001:db8::1", "mixes")]
    [InlineData("fe80::1-fe80::9", "starts with")]
    public void A_range_reaching_into_space_no_peer_may_be_is_refused(string range, string expected)
    {
        var (reference, set) = Signed(3, range);

        var (ranges, problem) = PeerSetStore.Verify(reference, set, 1_000_000);

        Assert.Null(ranges);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.Contains(range, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.18.0.5", "198.18.0.1")]
    [InlineData("198.18.0.1-198.18.0.5", "198.18.0.3")]
    [InlineData("198.18.0.1-198.18.0.5", "198.18.0.6")]
    [InlineData("2001:db8::1", "198.18.0.1")]
    public void Ranges_out_of_canonical_order_overlapping_or_adjacent_are_refused(string first, string second)
    {
        var (reference, set) = Signed(7, first, second);

        var (ranges, problem) = PeerSetStore.Verify(reference, set, 1_000_000);

        Assert.Null(ranges);
        Assert.Contains("canonical", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(-1)]
    public void A_set_holding_another_number_of_addresses_than_the_state_announced_is_refused(long announced)
    {
        var (reference, set) = Signed(announced, "198.18.0.1-198.18.0.5");

        var (ranges, problem) = PeerSetStore.Verify(reference, set, 1_000_000);

        Assert.Null(ranges);
        Assert.Contains("holds 5 addresses", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_set_larger_than_the_configured_limit_is_refused_naming_the_setting()
    {
        var (reference, set) = Signed(5, "198.18.0.1-198.18.0.5");

        var (ranges, problem) = PeerSetStore.Verify(reference, set, 4);

        Assert.Null(ranges);
        Assert.Contains("Agent:MaxPeerSetAddresses (4)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_store_keeps_only_sets_the_current_openings_name()
    {
        var store = new PeerSetStore();
        store.Hold("a", []);
        store.Hold("b", []);
        store.Fail("c", "could not be fetched");

        store.Retain(new HashSet<string>(["b"], StringComparer.Ordinal));

        Assert.False(store.Holds("a"));
        Assert.True(store.Holds("b"));
        Assert.False(store.TryGet("c", out _, out var problem));
        Assert.Contains("not fetched", problem, StringComparison.Ordinal);
    }
}
