using System.Net;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Windows.Firewall;
using Orchestrator.Core.Enforcement;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Windows.Firewall;

/// <summary>The Windows enforcer accepts a run's peer set: its allow rule lists exactly the set's addresses without the
/// opening's except list and this endpoint's own addresses (pure logic, no Windows needed).</summary>
public sealed class RunOpeningPeerSetTests
{
    [Fact]
    public void A_peer_set_opening_becomes_one_rule_listing_exactly_the_other_members()
    {
        var ranges = AddressRanges.Compress(new[] { "198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.5", "198.18.0.6" }.Select(IPAddress.Parse));
        var hash = AddressRanges.Hash(ranges);
        var store = new PeerSetStore();
        store.Hold(hash, ranges);
        var opening = new OpeningV1(4, 7680, "tcp", [], 300, new PeerSetRefV1(hash, 5, ["198.18.0.6"]));

        var run = Assert.Single(RunOpening.From([opening], [7680], new HashSet<IPAddress>([IPAddress.Parse("198.18.0.2")]), store));

        Assert.Equal((4, 7680, 300), (run.RunId, run.Port, run.Seconds));
        Assert.Equal(["198.18.0.1", "198.18.0.3", "198.18.0.5"], run.Peers.Select(p => p.ToString()));
    }
}
