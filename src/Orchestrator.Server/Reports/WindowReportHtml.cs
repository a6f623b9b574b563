using System.Globalization;
using System.Text;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Reports;

/// <summary>The page of a window's runs: the trend of bytes from peers (and the peer share where reported) and of
/// anomalies, and a link to each run's report.</summary>
internal static class WindowReportHtml
{
    public static string Render(WindowReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(16 * 1024);
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Window {H(report.WindowName)} · runs</title><style>{ReportStyle.Css}</style></head><body>
            <header><h1>Window “{H(report.WindowName)}” · runs</h1>
            <p class="meta">The latest {WindowReportBuilder.RunsShown} runs, generated {Time(report.GeneratedAt)} · <a href="/api/v1/windows/{report.WindowId}/report">JSON</a> · <a href="/">Home</a> · <a href="/reports">Run reports</a> · <a href="/logout">Sign out</a></p></header>
            """);
        if (report.Runs.Count == 0)
        {
            html.Append("<p>This window has no runs yet.</p></body></html>");
            return html.ToString();
        }

        html.Append("""<section id="trend"><h2>Trend</h2><p class="meta">Bars: bytes received from peers per run, oldest first; the number above each bar is its anomaly count (red when one is critical).</p>""");
        html.Append(Svg.WindowTrend(report.Runs));
        html.Append("</section>");
        html.Append("""<section id="runs"><h2>Runs</h2><table><thead><tr><th>Run</th><th>Planned start (UTC)</th><th>Planned start (window time)</th><th>State</th><th class="n">Members</th><th class="n">Anomalies</th><th class="n">Critical</th><th class="n">From peers</th><th class="n">Peer share</th><th>Report</th></tr></thead><tbody>""");
        foreach (var r in report.Runs)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td><a href="/reports/runs/{r.RunId}">run {r.RunId}</a></td><td class="t">{H(Time(r.PlannedStart))}</td><td class="t">{H(Local(r.PlannedStart, report.TimeZone))}</td><td>{H(r.State)}</td><td class="n">{N(r.Members)}</td><td class="n">{N(r.Anomalies)}</td><td class="n{(r.Critical > 0 ? " bad" : "")}">{N(r.Critical)}</td><td class="n">{H(Bytes(r.BytesFromPeers))}</td><td class="n">{H(Percent(r.PeerShare))}</td><td>{H(r.Source)}</td></tr>""");
        }

        html.Append("</tbody></table></section></body></html>");
        return html.ToString();
    }
}
