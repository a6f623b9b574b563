using Orchestrator.Agent.Windows.DeliveryOptimization;

namespace Orchestrator.Agent.Tests.Windows.DeliveryOptimization;

/// <summary>
/// The reconciliation of Delivery Optimization's snapshots over one run, on recorded samples that are hand-written
/// (Windows/Samples/do-run-*.json; not captured on a real host): baseline at open, a live -PeerInfo sample and a status
/// sample during the run, a status sample in which a file left the cache, and the -ListConnections log read once
/// after the close. Verified only with these samples.
/// </summary>
public sealed class DeliveryOptimizationLedgerTests
{
    private static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Windows", "Samples", name));

    private static IReadOnlyList<CachedFileStatus> Status(string name) => DeliveryOptimizationStatusParser.Parse(Sample(name));

    private static IReadOnlyList<PeerConnection> Peers(string name) => ConnectionListParser.Parse(Sample(name));

    [Fact]
    public void Over_a_run_each_byte_is_counted_once_per_file_and_per_peer_whichever_source_saw_it_first()
    {
        var ledger = new DeliveryOptimizationLedger();
        ledger.Baseline(Status("do-run-status-1-baseline.json"), Peers("do-run-connections-baseline.json"));

        var during = ledger.ObserveFiles(Status("do-run-status-2-during.json"));
        var live = ledger.ObservePeers(Peers("do-run-peerinfo-during.json"));
        var afterEviction = ledger.ObserveFiles(Status("do-run-status-3-evicted.json"));
        var log = ledger.ObservePeers(Peers("do-run-connections-after-close.json"));

        Assert.Equal(new ContentSources(1000, 2000, 0, 2000, 0, 0, 300, 0, 0), during);
        // old-file left the cache: the totals fell, yet kb-file's growth counts and nothing goes negative.
        Assert.Equal(new ContentSources(500, 1500, 0, 1500, 0, 0, 0, 700, 0), afterEviction);
        Assert.Equal(new PeerBytes(0, 1500), live["198.18.0.3"]);
        Assert.Equal(new PeerBytes(0, 1000), log["198.18.0.3"]);
        Assert.Equal(new PeerBytes(700, 500), log["198.18.0.4"]);
        Assert.Equal(new PeerBytes(100, 0), log["198.18.0.9"]);
        var perPeer = live.Concat(log).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => (g.Sum(p => p.Value.Sent), g.Sum(p => p.Value.Received)));
        Assert.Equal((0L, 2500L), perPeer["198.18.0.3"]);
        Assert.Equal((700L, 1000L), perPeer["198.18.0.4"]);
    }

    [Fact]
    public void Deltas_of_totals_would_count_the_evicted_file_run_wrong()
    {
        // What the totals-based reading (DeliveryOptimizationStatistics.Since) makes of the same two samples.
        var before = DeliveryOptimizationStatistics.From(Status("do-run-status-2-during.json"), []);
        var after = DeliveryOptimizationStatistics.From(Status("do-run-status-3-evicted.json"), []);

        var totals = after.Since(before).Sources;
        var perFile = new DeliveryOptimizationLedger();
        perFile.Baseline(Status("do-run-status-2-during.json"), []);

        Assert.Equal(1500, totals.FromHttp);
        Assert.Equal(500, perFile.ObserveFiles(Status("do-run-status-3-evicted.json")).FromHttp);
    }

    [Fact]
    public void Reading_the_same_log_again_counts_nothing()
    {
        var ledger = new DeliveryOptimizationLedger();
        ledger.Baseline([], []);
        _ = ledger.ObservePeers(Peers("do-run-connections-after-close.json"));

        Assert.Empty(ledger.ObservePeers(Peers("do-run-connections-after-close.json")));
        Assert.Empty(ledger.ObservePeers(Peers("do-run-peerinfo-during.json")));
    }
}
