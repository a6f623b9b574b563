using System.Text.Json;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Reporting;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Reporting;

public sealed class ReportBatchesTests
{
    private static readonly StatusSnapshot Quiet = new(5, null, false, []);

    private static int ids;

    private static string NextId() => Interlocked.Increment(ref ids).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Nothing_new_means_no_report() =>
        Assert.Empty(ReportBatches.Build(Quiet, FirewallCounters.Empty, NextId));

    [Fact]
    public void Served_and_received_bytes_are_merged_per_peer()
    {
        var counters = new FirewallCounters(
            new Dictionary<string, long> { ["198.18.0.2"] = 10 },
            new Dictionary<string, long> { ["198.18.0.2"] = 20, ["198.18.0.3"] = 5 },
            new Dictionary<BlockedKey, long> { [new BlockedKey("198.18.0.9", 7680)] = 3 });

        var report = Assert.Single(ReportBatches.Build(Quiet, counters, NextId));

        Assert.Equal([new PeerTrafficV1("198.18.0.2", 10, 20), new PeerTrafficV1("198.18.0.3", 0, 5)], report.Traffic);
        Assert.Equal([new BlockedAttemptV1("198.18.0.9", 7680, 3)], report.Blocked);
        Assert.Equal(5, report.AppliedVersion);
    }

    [Fact]
    public void Large_batches_are_split_under_the_row_and_byte_limits_with_distinct_ids_and_scans_only_in_the_first()
    {
        var served = Enumerable.Range(0, 5000).ToDictionary(i => $"2001:db8:ffff:ffff:ffff:ffff:{i / 256:x4}:{i % 256:x4}", _ => long.MaxValue / 2);
        var blocked = Enumerable.Range(0, 3000).ToDictionary(i => new BlockedKey($"198.18.{i / 256}.{i % 256}", 7680), _ => 1L);
        var status = new StatusSnapshot(9, null, true, [new ScanOutcomeV1("scan-1", "Succeeded", 0, 12)]);

        var reports = ReportBatches.Build(status, new FirewallCounters(served, new Dictionary<string, long>(), blocked), NextId);

        Assert.Equal(5000, reports.Sum(r => r.Traffic.Count));
        Assert.Equal(3000, reports.Sum(r => r.Blocked.Count));
        Assert.All(reports, r => Assert.True(r.Traffic.Count + r.Blocked.Count <= AgentProtocolV1.MaxRowsPerReport));
        Assert.All(reports, r => Assert.True(JsonSerializer.SerializeToUtf8Bytes(r, JsonSerializerOptions.Web).Length <= AgentProtocolV1.MaxReportBytes));
        Assert.Equal(reports.Count, reports.Select(r => r.ReportId).Distinct().Count());
        Assert.Single(reports[0].Scans);
        Assert.All(reports.Skip(1), r => Assert.Empty(r.Scans));
    }

    [Fact]
    public void A_repair_alone_is_reported_once_in_the_first_batch_and_a_report_without_repairs_has_no_repairs_member()
    {
        var repaired = Quiet with { Repairs = [new FirewallRepairV1("table inet orchestrator was removed", 1)] };

        var report = Assert.Single(ReportBatches.Build(repaired, FirewallCounters.Empty, NextId));
        var plain = Assert.Single(ReportBatches.Build(Quiet with { ApplyChanged = true }, FirewallCounters.Empty, NextId));

        Assert.Equal("table inet orchestrator was removed", Assert.Single(report.Repairs!).Finding);
        Assert.Contains("\"repairs\":[{\"finding\"", JsonSerializer.Serialize(report, JsonSerializerOptions.Web), StringComparison.Ordinal);
        Assert.DoesNotContain("repairs", JsonSerializer.Serialize(plain, JsonSerializerOptions.Web), StringComparison.Ordinal);
    }

    [Fact]
    public void Delivery_optimization_peer_rows_share_the_row_budget_and_the_source_bytes_travel_once()
    {
        var stats = new DeliveryOptimizationStatsV1(10, 20, 0, 20, 0, 0, 5, 0, 0,
            Enumerable.Range(0, 5).Select(i => new PeerTrafficV1($"198.18.0.{i + 1}", i, i)).ToList());

        var reports = ReportBatches.Build(Quiet, FirewallCounters.Empty, NextId, maxRows: 2, deliveryOptimization: stats);

        Assert.Equal(3, reports.Count);
        Assert.Equal((10L, 20L, 5L), (reports[0].DeliveryOptimization!.BytesFromHttp, reports[0].DeliveryOptimization!.BytesFromPeers, reports[0].DeliveryOptimization!.BytesToLanPeers));
        Assert.All(reports.Skip(1), r => Assert.Equal((0L, 0L), (r.DeliveryOptimization!.BytesFromHttp, r.DeliveryOptimization!.BytesFromPeers)));
        Assert.Equal(stats.Peers, reports.SelectMany(r => r.DeliveryOptimization!.Peers));
    }

    [Fact]
    public void Without_delivery_optimization_figures_the_member_is_left_out() =>
        Assert.Null(Assert.Single(ReportBatches.Build(Quiet with { ApplyChanged = true }, FirewallCounters.Empty, NextId)).DeliveryOptimization);
}
