using Orchestrator.Core.Reports;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Runs;

namespace Orchestrator.Server.Reports;

/// <summary>
/// The worst anomaly severity of each run, for the badges of the run lists: from the stored final snapshot when it
/// settles the question (a critical anomaly, or none at all), computed from the run's facts otherwise.
/// </summary>
internal sealed class RunSeverities(IRunReportStore store, RunReportBuilder reports)
{
    /// <summary>Null: the run has no anomaly.</summary>
    public async Task<IReadOnlyDictionary<long, AnomalySeverity?>> WorstAsync(IReadOnlyList<RunRecord> runs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var snapshots = new Dictionary<long, RunReportSnapshot>();
        foreach (var windowId in runs.Select(r => r.WindowId).Distinct())
        {
            foreach (var s in await store.ListSnapshotFiguresAsync(windowId, ct))
            {
                snapshots[s.RunId] = s;
            }
        }

        var worst = new Dictionary<long, AnomalySeverity?>();
        foreach (var run in runs)
        {
            if (run.State is Core.Runs.RunState.Skipped or Core.Runs.RunState.Cancelled)
            {
                worst[run.Id] = null;
            }
            else if (snapshots.TryGetValue(run.Id, out var s) && (s.Critical > 0 || s.Anomalies == 0))
            {
                worst[run.Id] = s.Critical > 0 ? AnomalySeverity.Critical : null;
            }
            else
            {
                var anomalies = (await reports.AnalyseAsync(run, ct)).Anomalies;
                worst[run.Id] = anomalies.Count == 0 ? null : anomalies.Min(a => a.Severity);
            }
        }

        return worst;
    }

    /// <summary>The badge: a span whose class and text name the severity ("ok" when there is no anomaly).</summary>
    public static string Badge(AnomalySeverity? severity)
    {
        var name = severity?.ToString().ToLowerInvariant() ?? "ok";
        return $"""<span class="badge {name}" data-severity="{name}">{name}</span>""";
    }
}
