using Orchestrator.Core.Reports;
using Orchestrator.Data.Reports;

namespace Orchestrator.Server.Reports;

/// <summary>
/// A run's report as the API returns it and the pages render it, in the order on-call reads it: anomalies,
/// summary, endpoints, transfers, WAN savings, blocked attempts, timeline. Every endpoint row is here; transfers
/// are one page (all of them: /api/v1/runs/{id}/report/transfers.csv).
/// </summary>
public sealed record RunReport(
    RunHeader Run,
    DateTimeOffset GeneratedAt,
    ReportSource Source,
    IReadOnlyList<Anomaly> Anomalies,
    RunSummary Summary,
    IReadOnlyList<EndpointRowDto> Endpoints,
    LatencyDistribution OpenLatency,
    LatencyDistribution CloseLatency,
    TransferPage Transfers,
    IReadOnlyList<TopServer> TopServers,
    WanSavings KeptOffTheWan,
    IReadOnlyList<BlockedFacts> Blocked,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<JobLink> Jobs,
    DeliveryOptimizationTable? DeliveryOptimization = null)
{
    /// <summary>Hook calls and webhook deliveries of the run; null in reports stored before they existed.</summary>
    public Notifications.RunNotifications? Notifications { get; init; }
}

/// <summary>Who served whom on the run's Windows members, as Delivery Optimization counts it (<see cref="Source"/>):
/// the largest rows (<see cref="RunReportBuilder.DeliveryOptimizationPeerRows"/> at most) and how many there are.</summary>
public sealed record DeliveryOptimizationTable(string Source, IReadOnlyList<DeliveryOptimizationPeerRow> Rows, long Total);

/// <param name="Kind">"live": computed on read; "snapshot": the stored final report.</param>
/// <param name="SnapshotTakenAt">When the final snapshot was stored, if it was.</param>
public sealed record ReportSource(string Kind, DateTimeOffset? SnapshotTakenAt);

/// <param name="TimeZone">The window's IANA time zone as the run froze it; the pages show times in it as well as in UTC.</param>
public sealed record RunHeader(
    long Id,
    long WindowId,
    string WindowName,
    string Kind,
    string State,
    IReadOnlyList<string> Groups,
    IReadOnlyList<string> Ports,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    DateTimeOffset CutoffAt,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    string? CloseReason,
    bool ScansEnabled,
    int? MaxErrors,
    string? TimeZone = null);

/// <summary>A row of the endpoint table; latencies in milliseconds.</summary>
public sealed record EndpointRowDto(
    long EndpointId,
    string Hostname,
    string Address,
    string Agent,
    DateTimeOffset? LastSeenAt,
    string? ApplyError,
    long? OpenAckMs,
    string Close,
    long? CloseAckMs,
    string Scan,
    long? ScanDurationMs,
    int? ScanExitCode,
    long BytesServed,
    long BytesReceived,
    long? BytesFromHttp,
    IReadOnlyList<string> Problems,
    string BytesSource = ByteSources.FirewallCounters,
    double? PeerShare = null)
{
    public static EndpointRowDto From(EndpointRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(
            row.EndpointId, row.Hostname, row.Address, row.Agent.ToString(), row.LastSeenAt, row.ApplyError,
            Ms(row.OpenAckLatency), row.Close.ToString(), Ms(row.CloseAckLatency), row.Scan.ToString(), row.ScanDurationMs, row.ScanExitCode,
            row.BytesServed, row.BytesReceived, row.BytesFromHttp, row.Problems, row.BytesSource, row.PeerShare);
    }

    private static long? Ms(TimeSpan? value) => value is { } v ? (long)v.TotalMilliseconds : null;
}

public sealed record TopServer(long EndpointId, string Hostname, long BytesServed);

/// <summary>A Hangfire job of the run. <see cref="Id"/> is null when the job was not found among the dashboard's
/// recent jobs (expired or never created): then <see cref="Url"/> points at the state list where its name shows.</summary>
public sealed record JobLink(string? Id, string Name, string State, string Url);
