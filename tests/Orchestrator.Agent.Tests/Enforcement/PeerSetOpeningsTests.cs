using System.Net;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Core.Enforcement;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>Openings that name a peer set: the peers are the set without the opening's except list and without this
/// endpoint's own addresses, as exact ranges; overlapping openings become disjoint elements.</summary>
public sealed class PeerSetOpeningsTests
{
    private const string Hash = "0000000000000000000000000000000000000000000000000000000000000001";
    private static readonly HashSet<IPAddress> Own = [IPAddress.Parse("198.18.0.9")];

    private static PeerSetStore Store(params string[] ranges)
    {
        var store = new PeerSetStore();
        store.Hold(Hash, ranges.Select(Range).ToList());
        return store;
    }

    private static AddressRange Range(string text) => AddressRange.TryParse(text, out var range, out var error) ? range : throw new ArgumentException(error);

    private static OpeningV1 SetOpening(long addresses, int seconds = 60, long runId = 7, params string[] except) =>
        new(runId, 7680, "tcp", [], seconds, new PeerSetRefV1(Hash, addresses, except));

    private static List<string> Peers(IReadOnlyList<PeerAllowance> allowances) => allowances.Select(a => a.Peer).ToList();

    [Fact]
    public void The_peers_are_the_set_without_the_except_list_and_without_the_endpoints_own_addresses()
    {
        var store = Store("198.18.0.1-198.18.0.12", "198.18.1.7");

        var allowances = OpeningValidator.ToAllowances([SetOpening(13, except: "198.18.0.4")], [7680], Own, store);

        Assert.Equal(["198.18.0.1-198.18.0.3", "198.18.0.10-198.18.0.12", "198.18.0.5-198.18.0.8", "198.18.1.7"], Peers(allowances));
        Assert.All(allowances, a => Assert.Equal((7680, 60, false), (a.Port, a.Seconds, a.IsIPv6)));
    }

    [Fact]
    public void An_opening_naming_a_set_the_agent_does_not_hold_is_refused_with_the_reason()
    {
        var store = new PeerSetStore();
        store.Fail(Hash, "could not be fetched: 503");

        var refused = Assert.Throws<OpeningRefusedException>(() => OpeningValidator.ToAllowances([SetOpening(3)], [7680], Own, store));

        Assert.Contains($"opening of run 7: peer set {Hash} could not be fetched: 503", refused.Reasons);
    }

    [Fact]
    public void An_opening_naming_a_set_and_also_listing_peers_is_refused()
    {
        var opening = SetOpening(12) with { AllowedPeers = ["198.18.5.5"] };

        var refused = Assert.Throws<OpeningRefusedException>(() => OpeningValidator.ToAllowances([opening], [7680], Own, Store("198.18.0.1-198.18.0.12")));

        Assert.Contains("one or the other", Assert.Single(refused.Reasons), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.18.0.0/24")]
    [InlineData("127.0.0.1")]
    [InlineData("fe80::1%4")]
    public void A_malformed_except_entry_refuses_the_opening(string except)
    {
        var refused = Assert.Throws<OpeningRefusedException>(() =>
            OpeningValidator.ToAllowances([SetOpening(12, except: except)], [7680], Own, Store("198.18.0.1-198.18.0.12")));

        Assert.Contains($"peerSet.except entry '{except}'", Assert.Single(refused.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void An_opening_announcing_another_size_than_the_held_set_is_refused()
    {
        var refused = Assert.Throws<OpeningRefusedException>(() =>
            OpeningValidator.ToAllowances([SetOpening(99)], [7680], Own, Store("198.18.0.1-198.18.0.12")));

        Assert.Contains("holds 12 addresses, the opening announced 99", Assert.Single(refused.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_peer_set_source_an_opening_naming_a_set_is_refused_not_widened()
    {
        var refused = Assert.Throws<OpeningRefusedException>(() => OpeningValidator.ToAllowances([SetOpening(12)], [7680], Own));

        Assert.Contains("cannot resolve", Assert.Single(refused.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_runs_on_one_port_become_disjoint_pieces_each_with_the_longest_time()
    {
        // Run 7's set covers .1-.12; run 8 lists .5 inline for longer: nft refuses overlapping interval elements.
        var allowances = OpeningValidator.ToAllowances(
            [SetOpening(12, seconds: 60), new OpeningV1(8, 7680, "tcp", ["198.18.0.5"], 600)], [7680], Own, Store("198.18.0.1-198.18.0.12"));

        Assert.Equal(
            [("198.18.0.1-198.18.0.4", 60), ("198.18.0.10-198.18.0.12", 60), ("198.18.0.5", 600), ("198.18.0.6-198.18.0.8", 60)],
            allowances.Select(a => (a.Peer, a.Seconds)));
    }

    /// <summary>Over a small address space: every address is allowed exactly when some opening names it (never when only
    /// its own address), for the longest time among them, and no two elements of one port overlap.</summary>
    [Fact]
    public void Property_the_elements_allow_exactly_the_union_of_the_openings_with_the_longest_time()
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        for (var round = 0; round < 300; round++)
        {
            var store = new PeerSetStore();
            var openings = new List<OpeningV1>();
            for (var o = 0; o < random.Next(1, 5); o++)
            {
                var seconds = random.Next(-1, 4) * 100;
                if (random.Next(2) == 0)
                {
                    var members = Enumerable.Range(1, 40).Where(_ => random.Next(3) == 0).Select(i => IPAddress.Parse($"198.18.0.{i}")).ToList();
                    var ranges = AddressRanges.Compress(members);
                    var hash = AddressRanges.Hash(ranges);
                    store.Hold(hash, ranges);
                    var except = members.Count > 0 && random.Next(2) == 0 ? [members[random.Next(members.Count)].ToString()] : Array.Empty<string>();
                    openings.Add(new OpeningV1(o, 7680, "tcp", [], seconds, new PeerSetRefV1(hash, members.Count, except)));
                }
                else
                {
                    var peers = Enumerable.Range(1, 40).Where(i => i != 9 && random.Next(5) == 0).Select(i => $"198.18.0.{i}").ToList();
                    openings.Add(new OpeningV1(o, 7680, "tcp", peers, seconds));
                }
            }

            var allowances = OpeningValidator.ToAllowances(openings, [7680], Own, store);

            var pieces = allowances.Select(a => (Range: Range(a.Peer), a.Seconds)).ToList();
            for (var i = 1; i <= 40; i++)
            {
                var address = IPAddress.Parse($"198.18.0.{i}");
                var expected = openings.Where(o => o.SecondsRemaining > 0 && Names(o, address, store)).Select(o => o.SecondsRemaining).DefaultIfEmpty(0).Max();
                var covering = pieces.Where(p => p.Range.Contains(address)).ToList();
                Assert.True(covering.Count <= 1, $"seed {seed}: {address} is in {covering.Count} elements");
                Assert.True(expected == (covering.Count == 0 ? 0 : covering[0].Seconds), $"seed {seed}: {address} allowed {covering.FirstOrDefault().Seconds} s, expected {expected} s");
            }
        }
    }

    private static bool Names(OpeningV1 opening, IPAddress address, PeerSetStore store)
    {
        if (Own.Contains(address))
        {
            return false;
        }

        if (opening.PeerSet is not { } set)
        {
            return opening.AllowedPeers.Contains(address.ToString());
        }

        store.TryGet(set.Hash, out var ranges, out _);
        return !set.Except.Contains(address.ToString()) && ranges.Any(r => r.Contains(address));
    }
}
