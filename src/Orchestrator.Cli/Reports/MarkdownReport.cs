using System.Globalization;
using System.Text;
using Orchestrator.Cli.Output;

namespace Orchestrator.Cli.Reports;

/// <summary>The report as Markdown: readable in a terminal, pasteable into a ticket or wiki.</summary>
internal static class MarkdownReport
{
    public static string Render(RunReport report)
    {
        var r = report.Run;
        var s = report.Summary;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Run {r.Id}: {Escape(r.WindowName)}");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        Row(md, "Window", $"{r.WindowName} (id {r.WindowId})");
        Row(md, "Kind", $"{r.Kind}, occurrence {r.OccurrenceKey}");
        Row(md, "State", r.CloseReason is { } reason ? $"{r.State} ({reason})" : r.State);
        Row(md, "Planned", $"{Formats.Utc(r.PlannedStart)} → {Formats.Utc(r.PlannedEnd)} (scan cutoff {Formats.Utc(r.CutoffAt)})");
        Row(md, "Opened / closed", $"{Formats.Utc(r.OpenedAt)} / {Formats.Utc(r.ClosedAt)}" + (s.OpenFor is { } open ? $" (open {Formats.Duration(open)})" : ""));
        Row(md, "Groups", Formats.List(r.Groups));
        Row(md, "Members", $"{s.Members}: opening confirmed by {s.OpenConfirmed}, close confirmed by {s.CloseConfirmed}" + (s.CloseUnconfirmed > 0 ? $", {s.CloseUnconfirmed} closed by expiry without confirmation" : ""));
        Row(md, "Transferred", $"{Formats.Bytes(s.BytesTransferred)} ({Formats.Number(s.BytesTransferred)} bytes) over {s.PeerPairs} peer pair(s)");
        Row(md, "Blocked", $"{Formats.Number(s.BlockedAttempts)} attempt(s) from {s.BlockedSources} source(s)");

        md.AppendLine().AppendLine("## Members").AppendLine();
        if (report.Members.Count == 0)
        {
            md.AppendLine("No members: the run's groups matched no endpoint when it started.");
        }
        else
        {
            md.AppendLine("| Hostname | Addresses | Allowed peers | Opening confirmed | Close |");
            md.AppendLine("|---|---|---:|---|---|");
            foreach (var m in report.Members)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Escape(m.Hostname)} | {Escape(Formats.List(m.Addresses))} | {m.AllowedPeers.Count} | {Formats.Utc(m.OpenAckedAt)} | {Escape(m.CloseState ?? "-")}{(m.CloseAckedAt is { } at ? " " + Formats.Utc(at) : "")} |");
            }
        }

        md.AppendLine().AppendLine("## Transfers (who served whom)").AppendLine();
        if (report.TrafficError is { } error)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**Traffic could not be read**: {error.Split('\n')[0]}");
            return md.ToString();
        }

        if (report.Transfers.Count == 0)
        {
            md.AppendLine("No peer traffic was reported.");
        }
        else
        {
            md.AppendLine("| Served by | To | Bytes |");
            md.AppendLine("|---|---|---:|");
            foreach (var t in report.Transfers)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Escape(Peer(t.ServingHostname, t.ServingAddress))} | {Escape(Peer(t.ReceivingHostname, t.ReceivingAddress))} | {Formats.Bytes(t.Bytes)} ({Formats.Number(t.Bytes)}) |");
            }
        }

        md.AppendLine().AppendLine("## Blocked attempts").AppendLine();
        if (report.Blocked.Count == 0)
        {
            md.AppendLine("No blocked attempts were reported.");
        }
        else
        {
            md.AppendLine("| Source | Target | Port | Attempts |");
            md.AppendLine("|---|---|---:|---:|");
            foreach (var b in report.Blocked)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Escape(Peer(b.SourceHostname, b.SourceAddress))} | {Escape(b.TargetHostname)} | {b.Port} | {Formats.Number(b.Count)} |");
            }
        }

        return md.ToString();
    }

    private static string Peer(string? hostname, string address) => hostname is null ? $"{address} (unknown)" : $"{hostname} ({address})";

    private static void Row(StringBuilder md, string name, string value) => md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Escape(value)} |");

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
