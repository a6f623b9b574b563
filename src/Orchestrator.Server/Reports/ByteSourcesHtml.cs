using System.Globalization;
using System.Text;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Reports;

/// <summary>
/// The run page's "Bytes by source" section: totals and per-member figures labelled with where they come from
/// (firewall counters on Linux, Delivery Optimization on Windows), and Delivery Optimization's who-served-whom.
/// </summary>
internal static class ByteSourcesHtml
{
    /// <summary>Per-member rows follow the endpoint table's paging (<paramref name="page"/>, <see cref="RunReportHtml.EndpointsPerPage"/>).</summary>
    public static void Render(StringBuilder html, RunReport report, int page)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(report);
        html.Append("""<section id="sources"><h2>Bytes by source</h2>""");
        html.Append("""<p class="meta">Linux members count bytes with firewall counters on the peering port; Windows members report Delivery Optimization's own statistics (HTTP versus peers). Peer share = from peers ÷ (from peers + from HTTP).</p>""");
        html.Append("""<table class="by-source"><thead><tr><th>Source</th><th class="n">Endpoints</th><th class="n">From peers</th><th class="n">From HTTP</th><th class="n">Peer share</th><th class="n">Served to peers</th></tr></thead><tbody>""");
        foreach (var s in report.KeptOffTheWan.BySource ?? [])
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{H(s.Source)}</td><td class="n">{N(s.Endpoints)}</td><td class="n">{H(Bytes(s.BytesFromPeers))}</td><td class="n">{H(s.BytesFromHttp is { } h ? Bytes(h) : "not reported")}</td><td class="n">{H(Percent(s.PeerShare))}</td><td class="n">{H(Bytes(s.BytesServed))}</td></tr>""");
        }

        var wan = report.KeptOffTheWan;
        html.Append(CultureInfo.InvariantCulture, $"""<tr class="total"><td>All members</td><td class="n">{N(wan.Endpoints)}</td><td class="n">{H(Bytes(wan.BytesFromPeers))}</td><td class="n">{H(wan.BytesFromHttp is { } http ? Bytes(http) : "not reported")}</td><td class="n">{H(Percent(wan.PeerShare))}</td><td class="n">{H(Bytes(wan.BytesServed))}</td></tr>""");
        html.Append("</tbody></table>");

        html.Append(CultureInfo.InvariantCulture, $"""<h3>Per member</h3><table class="per-member"><thead><tr><th>Endpoint</th><th>Source</th><th class="n">From peers</th><th class="n">From HTTP</th><th class="n">Peer share</th><th class="n">Served to peers</th></tr></thead><tbody>""");
        var pages = Math.Max(1, (report.Endpoints.Count + RunReportHtml.EndpointsPerPage - 1) / RunReportHtml.EndpointsPerPage);
        page = Math.Clamp(page, 1, pages);
        foreach (var e in report.Endpoints.Skip((page - 1) * RunReportHtml.EndpointsPerPage).Take(RunReportHtml.EndpointsPerPage))
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{H(e.Hostname)}</td><td>{H(e.BytesSource)}</td><td class="n">{H(Bytes(e.BytesReceived))}</td><td class="n">{H(e.BytesFromHttp is { } h ? Bytes(h) : "not reported")}</td><td class="n">{H(Percent(e.PeerShare))}</td><td class="n">{H(Bytes(e.BytesServed))}</td></tr>""");
        }

        html.Append("</tbody></table>");
        if (pages > 1)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<p class="meta">The endpoint table's page {page} of {pages}; every member: <a href="/api/v1/runs/{report.Run.Id}/report.csv">CSV</a>.</p>""");
        }

        WhoServedWhom(html, report.DeliveryOptimization);
        html.Append("</section>");
    }

    private static void WhoServedWhom(StringBuilder html, DeliveryOptimizationTable? table)
    {
        html.Append("<h3>Who served whom on Windows members (Delivery Optimization)</h3>");
        if (table is null || table.Rows.Count == 0)
        {
            html.Append("<p>No Windows member reported Delivery Optimization peers in this run.</p>");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"""<p class="meta">Source: {H(table.Source)}. Largest first; {N(table.Rows.Count)} of {N(table.Total)} rows. An address outside the run is marked.</p>""");
        html.Append("""<table class="do-peers"><thead><tr><th>Endpoint</th><th>Peer</th><th>Peer address</th><th class="n">Sent to peer</th><th class="n">Received from peer</th></tr></thead><tbody>""");
        foreach (var p in table.Rows)
        {
            var peer = p.PeerHostname ?? (p.InRun ? "member" : "outside the run");
            html.Append(CultureInfo.InvariantCulture, $"""<tr{(p.InRun ? "" : " class=\"problem\"")}><td>{H(p.Hostname)}</td><td{(p.InRun ? "" : " class=\"bad\"")}>{H(peer)}</td><td>{H(p.PeerAddress)}</td><td class="n" title="{N(p.BytesSent)} bytes">{H(Bytes(p.BytesSent))}</td><td class="n" title="{N(p.BytesReceived)} bytes">{H(Bytes(p.BytesReceived))}</td></tr>""");
        }

        html.Append("</tbody></table>");
    }
}
