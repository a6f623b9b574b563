using System.Globalization;
using System.Text;
using Orchestrator.Core.Reports;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Reports;

/// <summary>Small inline SVG charts: no script, no external file, readable when printed.</summary>
internal static class Svg
{
    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Open and close acknowledgement latency side by side per bucket, with "never" last.</summary>
    public static string LatencyChart(LatencyDistribution open, LatencyDistribution close)
    {
        var labels = open.Buckets.Select(b => b.Label).Append("never").ToList();
        var opens = open.Buckets.Select(b => b.Count).Append(open.Missing).ToList();
        var closes = close.Buckets.Select(b => b.Count).Append(close.Missing).ToList();
        var max = Math.Max(1, opens.Concat(closes).Max());
        const int width = 640, height = 230, left = 40, bottom = 40, top = 34;
        var slot = (width - left - 10) / (double)labels.Count;
        var plot = height - bottom - top;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">""");
        svg.Append("<title>Acknowledgement latency: endpoints per bucket (open and close)</title>");
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" class="axis"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{left - 6}" y="{top + 4}" class="tick" text-anchor="end">{max}</text><text x="{left - 6}" y="{height - bottom}" class="tick" text-anchor="end">0</text>""");
        for (var i = 0; i < labels.Count; i++)
        {
            var x = left + (i * slot);
            Bar(svg, x + (slot * 0.12), slot * 0.36, opens[i], max, plot, height - bottom, "open");
            Bar(svg, x + (slot * 0.52), slot * 0.36, closes[i], max, plot, height - bottom, "close");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{F(x + (slot / 2))}" y="{height - bottom + 16}" class="tick" text-anchor="middle">{H(labels[i])}</text>""");
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{width - 330}" y="4" width="10" height="10" class="open"/><text x="{width - 316}" y="13" class="tick">opening acknowledged</text>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{width - 160}" y="4" width="10" height="10" class="close"/><text x="{width - 146}" y="13" class="tick">close acknowledged</text>""");
        return svg.Append("</svg>").ToString();
    }

    private static void Bar(StringBuilder svg, double x, double w, int count, int max, double plot, double baseline, string css)
    {
        var h = count == 0 ? 0 : Math.Max(1, plot * count / max);
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{F(x)}" y="{F(baseline - h)}" width="{F(w)}" height="{F(h)}" class="{css}"><title>{count}</title></rect>""");
        if (count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{F(x + (w / 2))}" y="{F(baseline - h - 3)}" class="tick" text-anchor="middle">{count}</text>""");
        }
    }

    /// <summary>Horizontal bars: bytes each top server sent to its peers.</summary>
    public static string BytesPerPeer(IReadOnlyList<TopServer> servers)
    {
        const int width = 640, row = 22, left = 150, right = 90;
        var height = (servers.Count * row) + 10;
        var max = Math.Max(1, servers.Count == 0 ? 1 : servers.Max(s => s.BytesServed));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">""");
        svg.Append("<title>Bytes served to peers, per serving endpoint</title>");
        for (var i = 0; i < servers.Count; i++)
        {
            var s = servers[i];
            var y = 5 + (i * row);
            var w = Math.Max(1, (width - left - right) * (double)s.BytesServed / max);
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{left - 6}" y="{y + 15}" class="tick" text-anchor="end">{H(Clip(s.Hostname, 24))}</text>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{left}" y="{y + 3}" width="{F(w)}" height="{row - 6}" class="served"><title>{H(s.Hostname)}: {N(s.BytesServed)} bytes</title></rect>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{F(left + w + 6)}" y="{y + 15}" class="tick">{H(Bytes(s.BytesServed))}</text>""");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>Bytes from peers per run (bars, oldest first) with each run's anomaly count above its bar.</summary>
    public static string WindowTrend(IReadOnlyList<WindowRunLine> runs)
    {
        const int width = 640, height = 200, left = 20, bottom = 30, top = 26;
        var ordered = runs.OrderBy(r => r.PlannedStart).ToList();
        var max = Math.Max(1, ordered.Count == 0 ? 1 : ordered.Max(r => r.BytesFromPeers));
        var slot = (width - left - 10) / (double)Math.Max(1, ordered.Count);
        var plot = height - bottom - top;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">""");
        svg.Append("<title>Bytes received from peers per run, with anomaly counts</title>");
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" class="axis"/>""");
        for (var i = 0; i < ordered.Count; i++)
        {
            var r = ordered[i];
            var x = left + (i * slot) + (slot * 0.15);
            var w = slot * 0.7;
            var h = r.BytesFromPeers == 0 ? 0 : Math.Max(1, plot * (double)r.BytesFromPeers / max);
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{F(x)}" y="{F(height - bottom - h)}" width="{F(w)}" height="{F(h)}" class="served"><title>run {r.RunId}: {H(Bytes(r.BytesFromPeers))} from peers, {r.Anomalies} anomalies</title></rect>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{F(x + (w / 2))}" y="{F(height - bottom - h - 4)}" class="tick {(r.Critical > 0 ? "bad" : "")}" text-anchor="middle">{r.Anomalies}⚠</text>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{F(x + (w / 2))}" y="{height - bottom + 14}" class="tick" text-anchor="middle">#{r.RunId}</text>""");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
