using Orchestrator.Core.Reports;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>The Delivery Optimization anomaly rules and the efficiency arithmetic on hand-made facts.</summary>
public sealed class DeliveryOptimizationRulesTests
{
    private static MemberFacts Windows(long id, long http, long fromPeers = 0, long toPeers = 0) =>
        Facts.Member(id, $"w-{id}", served: toPeers, received: fromPeers, http: http) with
        {
            DeliveryOptimization = new DeliveryOptimizationBytes(http, fromPeers, fromPeers, 0, 0, 0, toPeers, 0, 0),
            Windows = true,
        };

    private static DeliveryOptimizationPeerRow Peer(long id, string address, long sent, long received, bool inRun) =>
        new(id, $"w-{id}", address, null, null, sent, received, inRun);

    [Fact]
    public void NobodyIsHttpOnlyWhenNoMemberServedPeers()
    {
        var codes = Facts.Codes(Facts.Run(members: [Windows(1, http: 100), Windows(2, http: 100)]));

        Assert.DoesNotContain(DeliveryOptimizationAnomalies.HttpOnlyWhilePeersHadContent, codes);
    }

    [Fact]
    public void SeedsThatServedAreNotHttpOnlyButAMemberThatNeitherGotNorGaveIs()
    {
        // w-1 and w-4 each downloaded over HTTP only and served the others: seeds, while the other one served too.
        var analysis = Facts.Analyse(Facts.Run(members:
            [Windows(1, http: 100, toPeers: 40), Windows(2, http: 10, fromPeers: 50), Windows(3, http: 50), Windows(4, http: 80, toPeers: 10)]));

        var anomaly = Assert.Single(analysis.Anomalies, a => a.Code == DeliveryOptimizationAnomalies.HttpOnlyWhilePeersHadContent);
        Assert.Equal(["w-3"], anomaly.Examples);
        Assert.Equal(AnomalySeverity.Warning, anomaly.Severity);
    }

    [Fact]
    public void OnlyBytesSentOutsideTheRunAreCritical()
    {
        var members = new[] { Windows(1, http: 100, toPeers: 5), Windows(2, http: 0) };
        var received = Facts.Run(members: members) with { DeliveryOptimizationPeers = [Peer(1, "198.18.9.9", 0, 7, inRun: false)] };
        var sent = Facts.Run(members: members) with { DeliveryOptimizationPeers = [Peer(1, "198.18.9.9", 5, 0, inRun: false), Peer(1, "198.18.0.2", 9, 0, inRun: true)] };

        Assert.DoesNotContain(DeliveryOptimizationAnomalies.ServedOutsideRun, Facts.Codes(received));
        var anomaly = Assert.Single(Facts.Analyse(sent).Anomalies, a => a.Code == DeliveryOptimizationAnomalies.ServedOutsideRun);
        Assert.Equal(AnomalySeverity.Critical, anomaly.Severity);
        Assert.Equal(["w-1 → 198.18.9.9 5 bytes"], anomaly.Examples);
    }

    [Fact]
    public void AMembersSourceSaysWhereItsBytesComeFrom()
    {
        var rows = Facts.Analyse(Facts.Run(members: [Windows(1, http: 10, fromPeers: 30), Facts.Member(2, "l-2", received: 5), Facts.Member(3, "w-3") with { Windows = true }]))
            .Rows.ToDictionary(r => r.Hostname);

        Assert.Equal(ByteSources.DeliveryOptimization, rows["w-1"].BytesSource);
        Assert.Equal(0.75, rows["w-1"].PeerShare);
        Assert.Equal(ByteSources.FirewallCounters, rows["l-2"].BytesSource);
        Assert.Null(rows["l-2"].PeerShare);
        Assert.Equal(ByteSources.NotReported, rows["w-3"].BytesSource);
    }

    [Fact]
    public void RollingPeerShareIsARatioOfSumsOverTheRunsInItsSpan()
    {
        var now = Facts.End;
        RunEfficiencyFacts Run(long id, int daysAgo, long saved, long peers, long? http) =>
            new(id, 3, "w", "Closed", now.AddDays(-daysAgo), 10, saved, peers, http);

        // A big run at 90 % and a small one at 0 %: the 7-day share is (90) / (100 + 10), not the average 45 %.
        var report = GroupEfficiency.Of(1, "g", now, [Run(1, 1, 90, 90, 10), Run(2, 2, 0, 0, 10), Run(3, 20, 5, 0, null), Run(4, 40, 7, 7, 3)]);

        Assert.Equal(2, report.Last7Days.Runs);
        Assert.Equal(90.0 / 110, report.Last7Days.PeerShare!.Value, 9);
        Assert.Equal(95, report.Last28Days.WanBytesSaved);
        Assert.Equal(3, report.Last28Days.Runs);
        Assert.Equal([1L, 2, 3], report.Runs.Select(r => r.RunId));
        // Run 3 reports no HTTP bytes: its own share is unknown, its 28-day share reaches back to run 4 (40 days ago is outside).
        var run3 = report.Runs.Single(r => r.RunId == 3);
        Assert.Null(run3.PeerShare);
        Assert.Equal(7.0 / 10, run3.Rolling28Days.PeerShare!.Value, 9);
        Assert.Equal(12, run3.Rolling28Days.WanBytesSaved);
    }
}
