using System.Globalization;
using System.Text;
using Orchestrator.Server.Reports;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Home;

/// <summary>
/// The home page (/): one self-contained document like the reports (inline CSS, no script). It reloads itself with a
/// meta refresh, which the reports' content security policy permits, so open runs' figures stay current.
/// </summary>
internal static class HomeHtml
{
    public static string Render(HomeView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var refresh = Math.Max(1, (int)view.Refresh.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var html = new StringBuilder(32 * 1024);
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="{refresh}">
            <title>Orchestrator</title><style>{ReportStyle.Css}</style></head><body>
            <header><h1>Orchestrator</h1>
            <p class="meta">Generated {Time(view.GeneratedAt)}, reloads every {refresh} s · <a href="/reports">Run reports</a><a href="/hangfire">Hangfire jobs</a><a href="/api/v1/calendar.ics">Calendar (.ics)</a><a href="/logout">Sign out</a></p></header>
            """);
        Open(html, view);
        Upcoming(html, view);
        Recent(html, view);
        return html.Append("</body></html>").ToString();
    }

    private static void Open(StringBuilder html, HomeView view)
    {
        html.Append(CultureInfo.InvariantCulture, $"""<section id="open"><h2>Open now ({view.Open.Count})</h2>""");
        if (view.Open.Count == 0)
        {
            html.Append("<p>No run is open.</p></section>");
            return;
        }

        html.Append("""<table><thead><tr><th>Run</th><th>Window</th><th>State</th><th>Closes</th><th class="n">Members</th><th class="n">Opened</th><th class="n">Close confirmed</th><th class="n">Scans done</th><th class="n">Scans failed</th><th class="n">Scans pending</th><th class="n">Served by peers</th><th class="n">Blocked</th></tr></thead><tbody>""");
        foreach (var (run, s, wan) in view.Open)
        {
            var zone = run.Definition.Schedule.TimeZone;
            html.Append(CultureInfo.InvariantCulture, $"""<tr data-run="{run.Id}"><td><a href="/reports/runs/{run.Id}">run {run.Id}</a></td><td><a href="/reports/windows/{run.WindowId}">{H(run.WindowName)}</a></td><td>{H(run.State.ToString())}</td><td class="t">{H(Local(run.PlannedEnd, zone))}<br><span class="meta">{H(Time(run.PlannedEnd))}</span></td><td class="n" data-col="members">{N(s.Members)}</td><td class="n" data-col="opened">{N(s.OpenAcknowledged)} / {N(s.Members)}</td><td class="n" data-col="confirmed">{N(s.CloseConfirmed)} / {N(s.Members)}</td><td class="n" data-col="scans-done">{N(s.ScansSucceeded)}</td><td class="n" data-col="scans-failed">{N(s.ScansFailed)}</td><td class="n" data-col="scans-pending">{N(s.ScansRunning + s.ScansNotDispatched)}</td><td class="n" data-col="served">{H(Bytes(s.BytesServed))}</td><td class="n" data-col="blocked">{N(s.BlockedAttempts)}</td></tr>""");
        }

        html.Append("</tbody></table></section>");
    }

    private static void Upcoming(StringBuilder html, HomeView view)
    {
        var days = ((int)view.Horizon.TotalDays).ToString(CultureInfo.InvariantCulture);
        html.Append(CultureInfo.InvariantCulture, $"""<section id="upcoming"><h2>Coming up: the next {days} days ({view.Upcoming.Count})</h2>""");
        if (view.Upcoming.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>No enabled window starts in the next {days} days.</p></section>");
            return;
        }

        html.Append("""<p class="meta">Start in the window's own time zone (with its UTC offset on that day) and in UTC; members as the groups resolve now.</p>""");
        html.Append("""<table><thead><tr><th>Window</th><th>Start (window time)</th><th>Start (UTC)</th><th>Duration</th><th>Groups</th><th class="n">Members</th><th>Status</th></tr></thead><tbody>""");
        foreach (var u in view.Upcoming)
        {
            var o = u.Occurrence;
            var status = o.Skipped is { } reason ? $"""<span class="badge warning">skipped: {H(reason.ToString().ToLowerInvariant())}</span>""" : "opens";
            html.Append(CultureInfo.InvariantCulture, $"""<tr data-window="{u.WindowId}"{(o.Skipped is null ? "" : " class=\"skipped\"")}><td><a href="/reports/windows/{u.WindowId}">{H(u.WindowName)}</a></td><td class="t">{H(LocalText(o.LocalStart, u.TimeZone))}</td><td class="t">{H(Time(o.StartUtc))}</td><td>{H(Core.Reports.RunAnomalies.Duration(o.EndUtc - o.StartUtc))}</td><td>{H(string.Join(", ", u.Groups))}</td><td class="n">{N(u.Members)}</td><td>{status}</td></tr>""");
        }

        html.Append("</tbody></table></section>");
    }

    private static void Recent(StringBuilder html, HomeView view)
    {
        html.Append(CultureInfo.InvariantCulture, $"""<section id="recent"><h2>Recent runs</h2><p class="meta">The latest {HomeView.RecentShown}; every run: <a href="/reports">run reports</a>.</p>""");
        html.Append("""<table><thead><tr><th>Run</th><th>Window</th><th>State</th><th>Worst</th><th>Planned start (window time)</th><th>Planned start (UTC)</th></tr></thead><tbody>""");
        foreach (var (run, worst) in view.Recent)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr data-run="{run.Id}"><td><a href="/reports/runs/{run.Id}">run {run.Id}</a></td><td><a href="/reports/windows/{run.WindowId}">{H(run.WindowName)}</a></td><td>{H(run.State.ToString())}</td><td>{RunSeverities.Badge(worst)}</td><td class="t">{H(Local(run.PlannedStart, run.Definition.Schedule.TimeZone))}</td><td class="t">{H(Time(run.PlannedStart))}</td></tr>""");
        }

        html.Append("</tbody></table></section>");
    }
}
