using System.Globalization;
using System.Text;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Reports;

/// <summary>The Markdown report's bytes by source (each figure labelled with its source) and Delivery Optimization's
/// who-served-whom for Windows members.</summary>
internal static class ByteSourcesMarkdown
{
    public static void Render(StringBuilder md, RunReport report, int listed)
    {
        ArgumentNullException.ThrowIfNull(md);
        ArgumentNullException.ThrowIfNull(report);
        var wan = report.KeptOffTheWan;
        md.AppendLine("**Bytes by source**");
        md.AppendLine();
        md.AppendLine("| source | endpoints | from peers | from HTTP | peer share | served to peers |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var s in wan.BySource ?? [])
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {RunReportMarkdown.E(s.Source)} | {N(s.Endpoints)} | {Bytes(s.BytesFromPeers)} | {(s.BytesFromHttp is { } h ? Bytes(h) : "not reported")} | {Percent(s.PeerShare)} | {Bytes(s.BytesServed)} |");
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"| all members | {N(wan.Endpoints)} | {Bytes(wan.BytesFromPeers)} | {(wan.BytesFromHttp is { } http ? Bytes(http) : "not reported")} | {Percent(wan.PeerShare)} | {Bytes(wan.BytesServed)} |");
        md.AppendLine();

        var windows = report.Endpoints.Where(e => e.BytesSource == Core.Reports.ByteSources.DeliveryOptimization).Take(listed).ToList();
        if (windows.Count > 0)
        {
            md.AppendLine("**Windows members (Delivery Optimization)**");
            md.AppendLine();
            md.AppendLine("| endpoint | from peers | from HTTP | peer share | served to peers |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var e in windows)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {RunReportMarkdown.E(e.Hostname)} | {Bytes(e.BytesReceived)} | {Bytes(e.BytesFromHttp)} | {Percent(e.PeerShare)} | {Bytes(e.BytesServed)} |");
            }

            md.AppendLine();
        }

        if (report.DeliveryOptimization is { Rows.Count: > 0 } table)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**Who served whom (Delivery Optimization)** (first {Math.Min(listed, table.Rows.Count)} of {N(table.Total)})");
            md.AppendLine();
            foreach (var p in table.Rows.Take(listed))
            {
                var peer = p.PeerHostname ?? (p.InRun ? p.PeerAddress : $"{p.PeerAddress}, outside the run");
                md.AppendLine(CultureInfo.InvariantCulture, $"- {RunReportMarkdown.E(p.Hostname)} → {RunReportMarkdown.E(peer)}: sent {Bytes(p.BytesSent)}, received {Bytes(p.BytesReceived)}");
            }

            md.AppendLine();
        }
    }
}
