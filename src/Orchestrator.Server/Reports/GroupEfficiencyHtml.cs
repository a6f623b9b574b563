using System.Globalization;
using System.Text;
using Orchestrator.Core.Reports;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Reports;

/// <summary>The page of a group's efficiency over time: rolling 7- and 28-day figures, per run and per window.</summary>
internal static class GroupEfficiencyHtml
{
    public static string Render(GroupEfficiency report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(16 * 1024);
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Group {H(report.GroupName)} · efficiency</title><style>{ReportStyle.Css}</style></head><body>
            <header><h1>Group “{H(report.GroupName)}” · efficiency</h1>
            <p class="meta">Runs of the last 28 days, generated {Time(report.GeneratedAt)} · <a href="/api/v1/groups/{report.GroupId}/efficiency">JSON</a> · <a href="/logout">Sign out</a></p>
            <p class="meta">WAN bytes saved: bytes members received from peers (firewall counters on Linux, Delivery Optimization on Windows). Peer share: from peers ÷ (from peers + from HTTP) over the members that report HTTP bytes (Delivery Optimization on Windows).</p></header>
            """);
        html.Append("""<section id="rolling"><h2>Rolling figures</h2><div class="figures">""");
        Figure(html, "share-7", Percent(report.Last7Days.PeerShare), $"peer share, last 7 days ({N(report.Last7Days.Runs)} runs)");
        Figure(html, "saved-7", Bytes(report.Last7Days.WanBytesSaved), "WAN bytes saved, last 7 days");
        Figure(html, "share-28", Percent(report.Last28Days.PeerShare), $"peer share, last 28 days ({N(report.Last28Days.Runs)} runs)");
        Figure(html, "saved-28", Bytes(report.Last28Days.WanBytesSaved), "WAN bytes saved, last 28 days");
        html.Append("</div></section>");

        html.Append("""<section id="runs"><h2>Runs</h2>""");
        Runs(html, report.Runs);
        html.Append("</section>");

        html.Append("""<section id="windows"><h2>Per window</h2>""");
        if (report.Windows.Count == 0)
        {
            html.Append("<p>No window of this group ran in the last 56 days.</p>");
        }

        foreach (var w in report.Windows)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<h3 class="window" data-window="{w.WindowId}"><a href="/reports/windows/{w.WindowId}">{H(w.WindowName)}</a></h3><p class="meta">Last 7 days: peer share {H(Percent(w.Last7Days.PeerShare))}, WAN bytes saved {H(Bytes(w.Last7Days.WanBytesSaved))} ({N(w.Last7Days.Runs)} runs). Last 28 days: peer share {H(Percent(w.Last28Days.PeerShare))}, WAN bytes saved {H(Bytes(w.Last28Days.WanBytesSaved))} ({N(w.Last28Days.Runs)} runs).</p>""");
            Runs(html, w.Runs);
        }

        html.Append("</section></body></html>");
        return html.ToString();
    }

    private static void Runs(StringBuilder html, IReadOnlyList<RunEfficiency> runs)
    {
        if (runs.Count == 0)
        {
            html.Append("<p>No run in the last 28 days.</p>");
            return;
        }

        html.Append("""<table class="efficiency"><thead><tr><th>Run</th><th>Window</th><th>Planned start</th><th>State</th><th class="n">Members</th><th class="n">WAN bytes saved</th><th class="n">From HTTP</th><th class="n">Peer share</th><th class="n">Peer share 7 d</th><th class="n">Peer share 28 d</th><th class="n">Saved 7 d</th><th class="n">Saved 28 d</th></tr></thead><tbody>""");
        foreach (var r in runs)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td><a href="/reports/runs/{r.RunId}">run {r.RunId}</a></td><td>{H(r.WindowName)}</td><td>{H(Time(r.PlannedStart))}</td><td>{H(r.State)}</td><td class="n">{N(r.Members)}</td><td class="n">{H(Bytes(r.WanBytesSaved))}</td><td class="n">{H(r.BytesFromHttp is { } h ? Bytes(h) : "not reported")}</td><td class="n">{H(Percent(r.PeerShare))}</td><td class="n">{H(Percent(r.Rolling7Days.PeerShare))}</td><td class="n">{H(Percent(r.Rolling28Days.PeerShare))}</td><td class="n">{H(Bytes(r.Rolling7Days.WanBytesSaved))}</td><td class="n">{H(Bytes(r.Rolling28Days.WanBytesSaved))}</td></tr>""");
        }

        html.Append("</tbody></table>");
    }

    private static void Figure(StringBuilder html, string key, string value, string label) =>
        html.Append(CultureInfo.InvariantCulture, $"""<div class="figure" data-figure="{key}"><b>{H(value)}</b><span>{H(label)}</span></div>""");
}
