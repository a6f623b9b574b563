using System.Text.Json;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Polling;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Reporting;

/// <summary>Builds the reports for one reading, split so that none exceeds the protocol's row or byte limits.
/// Apply state, scan outcomes, firewall repairs and Delivery Optimization's bytes by source travel in the first batch;
/// Delivery Optimization's peer rows share the row budget with traffic and blocked rows (later batches carry the rest
/// with zero source bytes).</summary>
internal static class ReportBatches
{
    public static IReadOnlyList<AgentReportV1> Build(
        StatusSnapshot status, FirewallCounters deltas, Func<string> newReportId,
        int maxRows = AgentProtocolV1.MaxRowsPerReport, int maxBytes = AgentProtocolV1.MaxReportBytes,
        DeliveryOptimizationStatsV1? deliveryOptimization = null)
    {
        var traffic = deltas.ServedBytes.Keys.Union(deltas.ReceivedBytes.Keys)
            .Order(StringComparer.Ordinal)
            .Select(peer => new PeerTrafficV1(peer, deltas.ServedBytes.GetValueOrDefault(peer), deltas.ReceivedBytes.GetValueOrDefault(peer)))
            .ToList();
        var blocked = deltas.BlockedPackets
            .OrderBy(b => b.Key.Source, StringComparer.Ordinal).ThenBy(b => b.Key.Port)
            .Select(b => new BlockedAttemptV1(b.Key.Source, b.Key.Port, b.Value))
            .ToList();

        var doPeers = deliveryOptimization?.Peers.OrderBy(p => p.Peer, StringComparer.Ordinal).ToList() ?? [];

        if (traffic.Count == 0 && blocked.Count == 0 && status.Scans.Count == 0 && !status.ApplyChanged && status.Repairs is not { Count: > 0 } &&
            deliveryOptimization is null)
        {
            return [];
        }

        var reports = new List<AgentReportV1>();
        var first = true;
        int t = 0, b = 0, d = 0;
        do
        {
            var rows = maxRows;
            AgentReportV1 report;
            while (true)
            {
                var takeTraffic = Math.Min(rows, traffic.Count - t);
                var takeBlocked = Math.Min(rows - takeTraffic, blocked.Count - b);
                var takeDo = Math.Min(rows - takeTraffic - takeBlocked, doPeers.Count - d);
                report = new AgentReportV1(
                    newReportId(),
                    status.AppliedVersion,
                    status.ApplyError,
                    first ? status.Scans : [],
                    traffic.GetRange(t, takeTraffic),
                    blocked.GetRange(b, takeBlocked),
                    first && status.Repairs is { Count: > 0 } ? status.Repairs : null,
                    deliveryOptimization is null || (!first && takeDo == 0) ? null
                        : first ? deliveryOptimization with { Peers = doPeers.GetRange(d, takeDo) }
                        : new DeliveryOptimizationStatsV1(0, 0, 0, 0, 0, 0, 0, 0, 0, doPeers.GetRange(d, takeDo)));
                // Rows vary in size (IPv6 peers, large counters), so the byte limit is checked on the real body.
                if (rows <= 1 || JsonSerializer.SerializeToUtf8Bytes(report, JsonSerializerOptions.Web).Length <= maxBytes)
                {
                    t += takeTraffic;
                    b += takeBlocked;
                    d += takeDo;
                    break;
                }

                rows /= 2;
            }

            reports.Add(report);
            first = false;
        }
        while (t < traffic.Count || b < blocked.Count || d < doPeers.Count);

        return reports;
    }
}
