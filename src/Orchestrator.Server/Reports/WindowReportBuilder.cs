using Orchestrator.Core.Reports;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Windows;

namespace Orchestrator.Server.Reports;

/// <summary>A window's recent runs with their peer bytes and anomalies: from the stored final snapshot when there is
/// one (no recomputation), computed live otherwise (runs still open or within their grace period).</summary>
internal sealed class WindowReportBuilder(IWindowStore windows, IRunStore runs, IRunReportStore store, RunReportBuilder reports, TimeProvider time)
{
    public const int RunsShown = 50;

    public async Task<WindowReport?> BuildAsync(long windowId, CancellationToken ct)
    {
        var list = await runs.ListAsync(new RunQuery(WindowId: windowId, Limit: RunsShown), ct);
        var window = await windows.GetAsync(windowId, ct);
        if (window is null && list.Count == 0)
        {
            return null;
        }

        var snapshots = (await store.ListSnapshotFiguresAsync(windowId, ct)).ToDictionary(s => s.RunId);
        var lines = new List<WindowRunLine>();
        foreach (var run in list)
        {
            if (snapshots.TryGetValue(run.Id, out var s))
            {
                lines.Add(new WindowRunLine(run.Id, run.State.ToString(), run.PlannedStart, run.OpenedAt, run.ClosedAt, s.Members, s.Anomalies, s.Critical,
                    s.BytesFromPeers, s.BytesFromHttp, Share(s.BytesFromPeers, s.BytesFromHttp), "snapshot"));
                continue;
            }

            var a = await reports.AnalyseAsync(run, ct);
            lines.Add(new WindowRunLine(run.Id, run.State.ToString(), run.PlannedStart, run.OpenedAt, run.ClosedAt, a.Summary.Members, a.Anomalies.Count,
                a.Anomalies.Count(x => x.Severity == AnomalySeverity.Critical), a.Wan.BytesFromPeers, a.Wan.BytesFromHttp, a.Wan.PeerShare, "live"));
        }

        return new WindowReport(windowId, window?.Definition.Name ?? list[0].WindowName, time.GetUtcNow(), lines, window?.Definition.Schedule.TimeZone ?? list[0].Definition.Schedule.TimeZone);
    }

    // In double: two stored totals near long.MaxValue do not fit a long together.
    private static double? Share(long fromPeers, long? fromHttp) => fromHttp is { } http && (double)fromPeers + http > 0 ? fromPeers / ((double)fromPeers + http) : null;
}
