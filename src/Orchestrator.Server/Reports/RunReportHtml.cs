using System.Globalization;
using System.Text;
using Orchestrator.Core.Reports;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Reports;

/// <summary>
/// The run report page: one self-contained HTML document (inline CSS and SVG, no script, no external request),
/// every value HTML-encoded. Endpoint rows and transfers are paged; the CSV links carry all of them.
/// </summary>
internal static class RunReportHtml
{
    public const int EndpointsPerPage = 100;

    public static string Render(RunReport report, int page)
    {
        ArgumentNullException.ThrowIfNull(report);
        var r = report.Run;
        var id = r.Id.ToString(CultureInfo.InvariantCulture);
        var html = new StringBuilder(64 * 1024);
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Run {id} · {H(r.WindowName)} · report</title><style>{ReportStyle.Css}</style></head><body>
            <header><h1>Run {id} · window “{H(r.WindowName)}”</h1>
            <p class="meta">{H(r.State)} · {(report.Source.Kind == "snapshot" ? "final snapshot" : "live report")} generated {Time(report.GeneratedAt)}{(report.Source.SnapshotTakenAt is { } taken ? $" · final snapshot stored {Time(taken)}" : "")}</p>
            <p class="meta"><a href="/api/v1/runs/{id}/report">JSON</a><a href="/api/v1/runs/{id}/report.csv">CSV (all endpoints)</a><a href="/api/v1/runs/{id}/report/transfers.csv">CSV (all transfers)</a><a href="/api/v1/runs/{id}/report?format=md">Markdown</a><a href="/reports/windows/{r.WindowId}">all runs of this window</a><a href="#notifications">hooks and notifications</a><a href="#jobs">Hangfire jobs</a><a href="/">Home</a><a href="/logout">Sign out</a></p></header>
            """);
        Anomalies(html, report.Anomalies);
        Summary(html, report);
        Endpoints(html, report, page);
        Transfers(html, report, page);
        Wan(html, report.KeptOffTheWan);
        ByteSourcesHtml.Render(html, report, page);
        Blocked(html, report);
        Notifications.RunNotificationsHtml.Render(html, report.Notifications);
        Timeline(html, report.Timeline, r.TimeZone);
        Jobs(html, report.Jobs);
        return html.Append("</body></html>").ToString();
    }

    private static void Anomalies(StringBuilder html, IReadOnlyList<Anomaly> anomalies)
    {
        html.Append(CultureInfo.InvariantCulture, $"""<section id="anomalies"><h2>Anomalies ({anomalies.Count})</h2>""");
        if (anomalies.Count == 0)
        {
            html.Append("""<p class="ok">No anomalies.</p></section>""");
            return;
        }

        html.Append("""<ul class="anomalies">""");
        foreach (var a in anomalies)
        {
            var severity = a.Severity.ToString().ToLowerInvariant();
            html.Append(CultureInfo.InvariantCulture, $"""<li class="{severity}" data-code="{H(a.Code)}"><span class="sev">{severity}</span>{H(a.Message)}<span class="code">{H(a.Code)}</span>""");
            if (a.Examples.Count > 0)
            {
                var more = a.Count - a.Examples.Count;
                html.Append(CultureInfo.InvariantCulture, $"""<div class="examples">{H(string.Join(", ", a.Examples))}{(more > 0 ? $" … and {N(more)} more" : "")}</div>""");
            }

            html.Append("</li>");
        }

        html.Append("</ul></section>");
    }

    private static void Summary(StringBuilder html, RunReport report)
    {
        var r = report.Run;
        var s = report.Summary;
        html.Append("""<section id="summary"><h2>Summary</h2><dl class="grid">""");
        Pair(html, "Window", $"{H(r.WindowName)} (#{r.WindowId})");
        Pair(html, "Groups", H(string.Join(", ", r.Groups)));
        Pair(html, "Kind", H(r.Kind));
        Pair(html, "Ports", H(string.Join(", ", r.Ports)));
        Pair(html, "State", H(r.State) + (r.CloseReason is null ? "" : $" ({H(r.CloseReason)})"));
        Pair(html, "Scan policy", r.ScansEnabled ? $"on, maxErrors {(r.MaxErrors is { } m ? m.ToString(CultureInfo.InvariantCulture) : "none")}" : "off");
        Pair(html, "Planned open", Both(r.PlannedStart, r.TimeZone));
        Pair(html, "Actual open", $"{Both(r.OpenedAt, r.TimeZone)} <span class=\"meta\">{H(Span(s.OpenDelay))}</span>");
        Pair(html, "Planned close", Both(r.PlannedEnd, r.TimeZone));
        Pair(html, "Actual close", $"{Both(r.ClosedAt, r.TimeZone)} <span class=\"meta\">{H(Span(s.CloseDelay))}</span>");
        Pair(html, "Cutoff", Both(r.CutoffAt, r.TimeZone));
        Pair(html, "Time zone", H(r.TimeZone ?? "UTC"));
        Pair(html, "Report", H(report.Source.Kind));
        html.Append("""</dl><div class="figures">""");
        Figure(html, "members", N(s.Members), "members");
        Figure(html, "open-acked", $"{N(s.OpenAcknowledged)} / {N(s.Members)}", "acknowledged the opening");
        Figure(html, "close-confirmed", $"{N(s.CloseConfirmed)} / {N(s.Members)}", "confirmed the close");
        Figure(html, "close-unconfirmed", N(s.CloseUnconfirmed), "closed by expiry, unconfirmed");
        Figure(html, "close-may-be-open", N(s.CloseUnconfirmedMayBeOpen), "unconfirmed, may be open until the planned close");
        Figure(html, "offline", $"{N(s.Offline)} + {N(s.WithoutAgent)}", "offline + without agent");
        Figure(html, "scans", $"{N(s.ScansSucceeded)} ok / {N(s.ScansFailed)} failed", $"scans ({N(s.ScansRunning)} running, {N(s.ScansNotDispatched)} not dispatched)");
        Figure(html, "kept-off-wan", Bytes(report.KeptOffTheWan.BytesFromPeers), "received from peers (kept off the WAN)");
        Figure(html, "blocked", N(s.BlockedAttempts), $"blocked attempts ({N(s.BlockedFromOutside)} from outside the group)");
        html.Append("</div></section>");
    }

    private static void Endpoints(StringBuilder html, RunReport report, int page)
    {
        var rows = report.Endpoints;
        var pages = Math.Max(1, (rows.Count + EndpointsPerPage - 1) / EndpointsPerPage);
        page = Math.Clamp(page, 1, pages);
        html.Append(CultureInfo.InvariantCulture, $"""<section id="endpoints"><h2>Endpoints ({N(rows.Count)})</h2>""");
        var o = report.OpenLatency;
        var c = report.CloseLatency;
        html.Append(CultureInfo.InvariantCulture, $"""<p class="meta">Opening acknowledged: median {H(Dur(o.Median))}, p95 {H(Dur(o.P95))}, slowest {H(Dur(o.Max))}, never {N(o.Missing)}. Close acknowledged: median {H(Dur(c.Median))}, p95 {H(Dur(c.P95))}, slowest {H(Dur(c.Max))}, never {N(c.Missing)}.</p>""");
        html.Append(Svg.LatencyChart(o, c));
        html.Append(CultureInfo.InvariantCulture, $"""<p class="meta">Endpoints with anomalies first. Page {page} of {pages}, {EndpointsPerPage} per page; every row: <a href="/api/v1/runs/{report.Run.Id}/report.csv">CSV</a>.</p>""");
        html.Append("""<table><thead><tr><th>Endpoint</th><th>Address</th><th>Agent</th><th class="n">Open ack</th><th>Close</th><th class="n">Close ack</th><th>Scan</th><th class="n">Scan time</th><th class="n">Served to peers</th><th class="n">Received from peers</th><th>Anomalies</th></tr></thead><tbody>""");
        foreach (var row in rows.Skip((page - 1) * EndpointsPerPage).Take(EndpointsPerPage))
        {
            var scan = row.Scan + (row.ScanExitCode is { } code && row.Scan != "Succeeded" ? $" (exit {code.ToString(CultureInfo.InvariantCulture)})" : "");
            html.Append(CultureInfo.InvariantCulture, $"""<tr{(row.Problems.Count > 0 ? " class=\"problem\"" : "")}><td>{H(row.Hostname)}</td><td>{H(row.Address)}</td><td>{H(AgentText(row))}</td><td class="n">{H(Ms(row.OpenAckMs))}</td><td>{H(CloseText(row.Close))}</td><td class="n">{H(Ms(row.CloseAckMs))}</td><td>{H(scan)}</td><td class="n">{H(Ms(row.ScanDurationMs))}</td><td class="n">{H(Bytes(row.BytesServed))}</td><td class="n">{H(Bytes(row.BytesReceived))}</td><td>{string.Concat(row.Problems.Select(p => $"<span class=\"tag\">{H(p)}</span>"))}</td></tr>""");
        }

        html.Append("</tbody></table>");
        Pager(html, report.Run.Id, "page", page, pages, report.Transfers.Offset / report.Transfers.Limit + 1, "endpoints");
        html.Append("</section>");
    }

    private static void Transfers(StringBuilder html, RunReport report, int page)
    {
        var t = report.Transfers;
        var pages = (int)Math.Max(1, (t.Total + t.Limit - 1) / t.Limit);
        var current = (t.Offset / t.Limit) + 1;
        html.Append(CultureInfo.InvariantCulture, $"""<section id="transfers"><h2>Peer transfers ({N(t.Total)} pairs)</h2>""");
        if (report.TopServers.Count == 0)
        {
            html.Append("<p>No endpoint reported serving content to a peer.</p></section>");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"""<h3>Top servers (bytes served to peers)</h3>{Svg.BytesPerPeer(report.TopServers)}""");
        html.Append(CultureInfo.InvariantCulture, $"""<h3>Who served whom</h3><p class="meta">Largest first, as the serving endpoint counted them. Page {current} of {pages}; every pair: <a href="/api/v1/runs/{report.Run.Id}/report/transfers.csv">CSV</a>.</p>""");
        html.Append("""<table><thead><tr><th>Served by</th><th>To</th><th>Peer address</th><th class="n">Bytes</th></tr></thead><tbody>""");
        foreach (var x in t.Transfers)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{H(x.ServingHostname)}</td><td>{H(x.ReceivingHostname ?? "unknown endpoint")}</td><td>{H(x.PeerAddress)}</td><td class="n" title="{N(x.Bytes)} bytes">{H(Bytes(x.Bytes))}</td></tr>""");
        }

        html.Append("</tbody></table>");
        Pager(html, report.Run.Id, "tpage", current, pages, page, "transfers");
        html.Append("</section>");
    }

    private static void Wan(StringBuilder html, WanSavings wan)
    {
        html.Append("""<section id="wan"><h2>Kept off the WAN</h2><div class="figures">""");
        Figure(html, "from-peers", Bytes(wan.BytesFromPeers), $"received from peers ({N(wan.BytesFromPeers)} bytes)");
        Figure(html, "from-http", wan.BytesFromHttp is { } http ? Bytes(http) : "not reported",
            wan.BytesFromHttp is null ? "downloaded over HTTP: no member reports it (only Delivery Optimization on Windows members does)" : $"downloaded over HTTP ({N(wan.EndpointsReportingHttp)} of {N(wan.Endpoints)} endpoints report it)");
        Figure(html, "peer-share", Percent(wan.PeerShare), "share of content from peers");
        html.Append("</div></section>");
    }

    private static void Blocked(StringBuilder html, RunReport report)
    {
        const int shown = 200;
        var blocked = report.Blocked;
        var members = report.Endpoints.Select(e => e.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var memberIds = report.Endpoints.Select(e => e.EndpointId).ToHashSet();
        html.Append(CultureInfo.InvariantCulture, $"""<section id="blocked"><h2>Blocked attempts ({N(Core.Reports.Counters.Sum(blocked, b => b.Count))})</h2>""");
        if (blocked.Count == 0)
        {
            html.Append("<p>No endpoint reported a blocked attempt during the run.</p></section>");
            return;
        }

        html.Append("""<table><thead><tr><th>Source</th><th>Resolved endpoint</th><th>Group</th><th>Target</th><th>Port</th><th class="n">Count</th></tr></thead><tbody>""");
        foreach (var b in blocked.Take(shown))
        {
            var inside = members.Contains(b.SourceAddress) || (b.SourceEndpointId is { } sid && memberIds.Contains(sid));
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{H(b.SourceAddress)}</td><td>{H(b.SourceHostname ?? "unknown")}</td><td>{(inside ? "member" : "<span class=\"bad\">outside</span>")}</td><td>{H(b.TargetHostname)}</td><td>{b.Port}</td><td class="n">{N(b.Count)}</td></tr>""");
        }

        html.Append("</tbody></table>");
        if (blocked.Count > shown)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<p class="meta">The {shown} largest of {N(blocked.Count)} (source, target) pairs; all of them: <a href="/api/v1/runs/{report.Run.Id}/report">JSON</a>.</p>""");
        }

        html.Append("</section>");
    }

    private static void Timeline(StringBuilder html, IReadOnlyList<TimelineEntry> timeline, string? zone)
    {
        html.Append("""<section id="timeline"><h2>Timeline</h2><table><thead><tr><th>Time (UTC)</th><th>Window time</th><th>What</th><th>Event</th><th>By</th><th>Detail</th></tr></thead><tbody>""");
        foreach (var e in timeline)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td class="t">{H(Time(e.At))}</td><td class="t">{H(Local(e.At, zone))}</td><td>{H(e.Kind.ToString().ToLowerInvariant())}</td><td>{H(e.Event)}</td><td>{H(e.Actor ?? "")}</td><td>{H(e.Detail ?? "")}</td></tr>""");
        }

        html.Append("</tbody></table></section>");
    }

    private static void Jobs(StringBuilder html, IReadOnlyList<JobLink> jobs)
    {
        html.Append("""<section id="jobs"><h2>Hangfire jobs</h2>""");
        if (jobs.Count > 0 && jobs.All(j => j.Id is null))
        {
            html.Append("""<p class="meta">Not among the dashboard's recent jobs (Hangfire keeps finished jobs for a day); look for these names in the dashboard's lists:</p>""");
        }

        html.Append("<ul>");
        foreach (var j in jobs)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<li><a href="{H(j.Url)}">{H(j.Name)}</a> <span class="meta">{H(j.State)}{(j.Id is null ? "" : $" · job {H(j.Id)}")}</span></li>""");
        }

        html.Append("""</ul><p class="meta"><a href="/hangfire">Dashboard</a></p></section>""");
    }

    private static void Pager(StringBuilder html, long runId, string parameter, int current, int pages, int other, string anchor)
    {
        if (pages <= 1)
        {
            return;
        }

        var otherName = parameter == "page" ? "tpage" : "page";
        string Link(int p, string text) => $"""<a href="/reports/runs/{runId}?{parameter}={p}&amp;{otherName}={other}#{anchor}">{text}</a>""";
        html.Append("""<div class="pager">""");
        html.Append(current > 1 ? Link(1, "« first") + Link(current - 1, "‹ previous") : "");
        html.Append(CultureInfo.InvariantCulture, $"<span>page {current} of {pages}</span>");
        html.Append(current < pages ? Link(current + 1, "next ›") + Link(pages, "last »") : "");
        html.Append("</div>");
    }

    /// <summary>UTC first (what logs and the API say), then the same instant in the window's zone.</summary>
    private static string Both(DateTimeOffset? value, string? zone) =>
        value is null ? "—" : $"{H(Time(value))}<br><span class=\"meta\" data-zone=\"window\">{H(Local(value, zone))}</span>";

    private static void Pair(StringBuilder html, string name, string valueHtml) => html.Append(CultureInfo.InvariantCulture, $"<dt>{H(name)}</dt><dd>{valueHtml}</dd>");

    private static void Figure(StringBuilder html, string key, string value, string label) =>
        html.Append(CultureInfo.InvariantCulture, $"""<div class="figure" data-figure="{key}"><b>{H(value)}</b><span>{H(label)}</span></div>""");

    private static string Dur(TimeSpan? value) => value is { } v ? RunAnomalies.Duration(v) : "—";

    private static string AgentText(EndpointRowDto row) => row.Agent switch
    {
        "NoAgent" => "no agent",
        "Offline" => $"offline (seen {Time(row.LastSeenAt)})",
        _ => "online",
    } + (row.ApplyError is null ? "" : $"; apply error: {row.ApplyError}");

    private static string CloseText(string close) => close switch
    {
        "ClosedByExpiryUnconfirmed" => "closed by expiry (unconfirmed)",
        "UnconfirmedMayBeOpen" => "UNCONFIRMED: may be open until the planned close",
        "ConfirmedLate" => "confirmed late",
        "AwaitingConfirmation" => "awaiting confirmation",
        "NotOpened" => "never opened",
        _ => close.ToLowerInvariant(),
    };
}
