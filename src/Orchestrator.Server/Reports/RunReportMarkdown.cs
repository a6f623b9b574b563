using System.Globalization;
using System.Text;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Reports;

/// <summary>A short Markdown version to paste into an incident ticket: anomalies, the key figures, the endpoints
/// that need a look, top transfers and blocked sources, with links back to the full report.</summary>
internal static class RunReportMarkdown
{
    private const int Listed = 10;

    public static string Render(RunReport report, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(report);
        var r = report.Run;
        var s = report.Summary;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### Run {r.Id} · window “{E(r.WindowName)}” · {E(r.State)}{(r.CloseReason is null ? "" : $" ({E(r.CloseReason)})")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Planned {Time(r.PlannedStart)} → {Time(r.PlannedEnd)}; opened {Time(r.OpenedAt)} ({Span(s.OpenDelay)}), closed {Time(r.ClosedAt)} ({Span(s.CloseDelay)}). Groups: {E(string.Join(", ", r.Groups))}. Report: {report.Source.Kind}, {Time(report.GeneratedAt)}.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Anomalies ({report.Anomalies.Count})**");
        md.AppendLine();
        if (report.Anomalies.Count == 0)
        {
            md.AppendLine("- none");
        }

        foreach (var a in report.Anomalies)
        {
            var examples = a.Examples.Count == 0 ? "" : $" — {E(string.Join(", ", a.Examples.Take(Listed)))}{(a.Count > Math.Min(Listed, a.Examples.Count) ? $" … (+{a.Count - Math.Min(Listed, a.Examples.Count)})" : "")}";
            md.AppendLine(CultureInfo.InvariantCulture, $"- **{a.Severity.ToString().ToUpperInvariant()}** {E(a.Message)} `{a.Code}`{examples}");
        }

        md.AppendLine();
        md.AppendLine("| members | opening acked | close confirmed | closed by expiry | may be open | scans ok / failed | from peers | blocked (outside group) |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {N(s.Members)} | {N(s.OpenAcknowledged)} | {N(s.CloseConfirmed)} | {N(s.CloseUnconfirmed)} | {N(s.CloseUnconfirmedMayBeOpen)} | {N(s.ScansSucceeded)} / {N(s.ScansFailed)} | {Bytes(report.KeptOffTheWan.BytesFromPeers)} | {N(s.BlockedAttempts)} ({N(s.BlockedFromOutside)}) |");
        md.AppendLine();

        var problems = report.Endpoints.Where(e => e.Problems.Count > 0).Take(Listed).ToList();
        if (problems.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**Endpoints with anomalies** (first {problems.Count} of {N(report.Endpoints.Count(e => e.Problems.Count > 0))})");
            md.AppendLine();
            md.AppendLine("| endpoint | address | agent | open ack | close | scan | anomalies |");
            md.AppendLine("|---|---|---|---:|---|---|---|");
            foreach (var e in problems)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {E(e.Hostname)} | {E(e.Address)} | {E(e.Agent)} | {Ms(e.OpenAckMs)} | {E(e.Close)} | {E(e.Scan)} | {E(string.Join(", ", e.Problems))} |");
            }

            md.AppendLine();
        }

        if (report.Transfers.Transfers.Count > 0)
        {
            md.AppendLine("**Top transfers**");
            md.AppendLine();
            foreach (var t in report.Transfers.Transfers.Take(5))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {E(t.ServingHostname)} → {E(t.ReceivingHostname ?? t.PeerAddress)}: {Bytes(t.Bytes)}");
            }

            md.AppendLine();
        }

        ByteSourcesMarkdown.Render(md, report, Listed);

        if (report.Blocked.Count > 0)
        {
            md.AppendLine("**Blocked attempts**");
            md.AppendLine();
            foreach (var b in report.Blocked.Take(Listed))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {E(b.SourceAddress)}{(b.SourceHostname is null ? "" : $" ({E(b.SourceHostname)})")} → {E(b.TargetHostname)}:{b.Port} ×{N(b.Count)}");
            }

            md.AppendLine();
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"Full report: {baseUrl}/reports/runs/{r.Id} · CSV: {baseUrl}/api/v1/runs/{r.Id}/report.csv");
        return md.ToString();
    }

    /// <summary>Escapes what Markdown (and a ticket's table) would interpret; agent-supplied text is not trusted.</summary>
    public static string E(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var ch in Core.FreeText.Sanitize(text))
        {
            if (ch is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '!' or '(' or ')' or '~')
            {
                escaped.Append('\\');
            }

            escaped.Append(ch is '\r' or '\n' ? ' ' : ch);
        }

        return escaped.ToString();
    }
}
