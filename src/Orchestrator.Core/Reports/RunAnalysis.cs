namespace Orchestrator.Core.Reports;

/// <summary>Everything a run report says that follows from the facts alone: rows, anomalies, counts, latency
/// distributions, the WAN savings and the timeline. Transfers between peers are paged by the store and added by
/// the server.</summary>
public sealed record RunAnalysis(
    RunFacts Run,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<Anomaly> Anomalies,
    RunSummary Summary,
    IReadOnlyList<EndpointRow> Rows,
    LatencyDistribution OpenLatency,
    LatencyDistribution CloseLatency,
    WanSavings Wan,
    IReadOnlyList<TimelineEntry> Timeline)
{
    public static RunAnalysis Of(RunFacts run, DateTimeOffset now, ReportThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(thresholds);
        var rows = run.Members.Select(m => EndpointRows.For(run, m, now, thresholds)).ToList();
        var anomalies = RunAnomalies.Detect(run, rows, now, thresholds);
        var problems = RunAnomalies.ProblemsByHostname(anomalies, rows, now, thresholds, run);

        // Rows with problems first (most problems first), then by hostname: the page shows what needs a look.
        var ordered = rows
            .Select(r => problems.TryGetValue(r.Hostname, out var p) ? r with { Problems = p } : r)
            .OrderByDescending(r => r.Problems.Count)
            .ThenBy(r => r.Hostname, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var opened = run.OpenedAt is not null;
        var closeReference = EndpointRows.CloseReference(run);
        return new RunAnalysis(
            run,
            now,
            anomalies,
            RunSummary.Of(run, ordered, anomalies),
            ordered,
            LatencyDistribution.Of(opened ? ordered.Select(r => r.OpenAckLatency) : []),
            LatencyDistribution.Of(closeReference is not null ? ordered.Where(r => r.Close != CloseStatus.NotOpened).Select(r => r.CloseAckLatency) : []),
            WanSavings.Of(ordered),
            Reports.Timeline.Of(run));
    }

    /// <summary>The members that served the most bytes to their peers.</summary>
    public IReadOnlyList<EndpointRow> TopServers(int count) =>
        Rows.Where(r => r.BytesServed > 0).OrderByDescending(r => r.BytesServed).ThenBy(r => r.Hostname, StringComparer.OrdinalIgnoreCase).Take(count).ToList();
}
