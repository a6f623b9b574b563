using Orchestrator.Core.Reports;
using Orchestrator.Core.Runs;

namespace Orchestrator.Server.Tests.Reports;

public sealed class ReportMathTests
{
    [Fact]
    public void LatenciesFallIntoTheirBucketsWithNearestRankPercentiles()
    {
        var d = LatencyDistribution.Of([TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(70), TimeSpan.FromMinutes(6), null]);

        Assert.Equal([1, 2, 0, 0, 1, 1], d.Buckets.Select(b => b.Count));
        Assert.Equal(1, d.Missing);
        Assert.Equal(TimeSpan.FromSeconds(4), d.Median);
        Assert.Equal(TimeSpan.FromMinutes(6), d.P95);
        Assert.Equal(TimeSpan.FromMinutes(6), d.Max);
    }

    [Fact]
    public void AnEmptyDistributionHasNoPercentiles()
    {
        var d = LatencyDistribution.Of([]);

        Assert.All(d.Buckets, b => Assert.Equal(0, b.Count));
        Assert.Null(d.Median);
    }

    [Fact]
    public void OpenAndCloseLatenciesAreMeasuredFromTheOpeningAndFromTheEarlierOfCloseAndPlannedEnd()
    {
        var run = Facts.Run(closedAt: Facts.End.AddMinutes(2), members: [Facts.Member(1, "pc-1", openAck: TimeSpan.FromSeconds(2), closeAck: TimeSpan.FromSeconds(3))]);
        var early = Facts.Run(closedAt: Facts.Start.AddMinutes(30), reason: CloseReason.ClosedByOperator,
            members: [Facts.Member(1, "pc-1") with { CloseAckedAt = Facts.Start.AddMinutes(30).AddSeconds(5) }]);

        var row = Facts.Analyse(run).Rows[0];

        Assert.Equal(TimeSpan.FromSeconds(2), row.OpenAckLatency);
        Assert.Equal(TimeSpan.FromSeconds(3), row.CloseAckLatency);
        Assert.Equal(TimeSpan.FromSeconds(5), Facts.Analyse(early).Rows[0].CloseAckLatency);
    }

    [Fact]
    public void KeptOffTheWanIsBytesFromPeersAndTheShareWaitsForHttpFigures()
    {
        var none = Facts.Analyse(Facts.Run(members: [Facts.Member(1, "pc-1", received: 600), Facts.Member(2, "pc-2", received: 400)])).Wan;
        var some = Facts.Analyse(Facts.Run(members: [Facts.Member(1, "pc-1", received: 600, http: 200), Facts.Member(2, "pc-2", received: 400)])).Wan;

        Assert.Equal(1_000, none.BytesFromPeers);
        Assert.Null(none.BytesFromHttp);
        Assert.Null(none.PeerShare);
        Assert.Equal(200, some.BytesFromHttp);
        Assert.Equal(1, some.EndpointsReportingHttp);
        Assert.Equal(0.75, some.PeerShare);
    }

    [Fact]
    public void RowsWithAnomaliesComeFirstAndTopServersByBytesServed()
    {
        var analysis = Facts.Analyse(Facts.Run(members:
        [
            Facts.Member(1, "a", served: 10),
            Facts.Member(2, "b", served: 30, close: MemberClose.ClosedByExpiryUnconfirmed),
            Facts.Member(3, "c", served: 20),
        ]));

        Assert.Equal(["b", "a", "c"], analysis.Rows.Select(r => r.Hostname));
        Assert.Equal([RunAnomalies.CloseUnconfirmed], analysis.Rows[0].Problems);
        Assert.Equal(["b", "c", "a"], analysis.TopServers(5).Select(r => r.Hostname));
    }

    [Fact]
    public void TheTimelineMergesPlannedInstantsAuditEntriesAndAcknowledgementsInTimeOrder()
    {
        var run = Facts.Run(members: [Facts.Member(1, "pc-1"), Facts.Member(2, "pc-2", openAck: TimeSpan.FromSeconds(9))],
            audit: [new AuditFact(Facts.Start.AddSeconds(1), "scheduler", "Opening → Open", null), new AuditFact(Facts.End.AddSeconds(1), "scheduler", "Closing → Closed", "{\"reason\":\"Ended\"}")]);

        var events = Timeline.Of(run).Select(e => e.Event).ToList();

        Assert.Equal(["planned start", "Opening → Open", "first opening acknowledged", "last opening acknowledged", "planned end", "Closing → Closed", "first close acknowledged", "last close acknowledged"], events);
    }
}
