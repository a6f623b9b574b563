using Orchestrator.Core.Reports;

namespace Orchestrator.Data.DeliveryOptimization;

/// <summary>Delivery Optimization statistics from Windows agents: stored per report, attributed to a run, and read
/// back per run (reports) and per group (efficiency over time).</summary>
public interface IDeliveryOptimizationStore
{
    /// <summary>
    /// Stores one report's statistics for the endpoint's run that was open at <paramref name="now"/> (or ended less
    /// than <paramref name="lateReportGrace"/> ago; the latest opened when several), like traffic rows. Returns that
    /// run's id; null when the report id was stored before (nothing is stored twice) or no run was open (statistics
    /// outside runs count for nothing and are not kept).
    /// </summary>
    Task<long?> StoreAsync(DeliveryOptimizationReport report, DateTimeOffset now, TimeSpan lateReportGrace, CancellationToken cancellationToken = default);

    /// <summary>The run's statistics: per member summed, which members are Windows endpoints, and the per-peer rows
    /// (largest first, at most <paramref name="peerLimit"/>; <see cref="RunDeliveryOptimization.PeerRows"/> says how many in all).</summary>
    Task<RunDeliveryOptimization> GetRunAsync(long runId, int peerLimit, CancellationToken cancellationToken = default);
}

/// <summary>One report's statistics, validated, ready to store. Peer rows: bytes sent to and received from the address.</summary>
public sealed record DeliveryOptimizationReport(long EndpointId, string ReportId, DeliveryOptimizationBytes Bytes, IReadOnlyList<Traffic.PeerBytes> Peers);

/// <param name="Members">Summed figures by endpoint id, for the members that reported any.</param>
/// <param name="WindowsMembers">Members enrolled as Windows endpoints.</param>
public sealed record RunDeliveryOptimization(
    IReadOnlyDictionary<long, DeliveryOptimizationBytes> Members,
    IReadOnlySet<long> WindowsMembers,
    IReadOnlyList<DeliveryOptimizationPeerRow> Peers,
    long PeerRows);
