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
        Row(md, "Members", $"{s.Members}: opening confirmed by {s.OpenConfirmed}, close confirmed by {s.CloseConfirmed}" + (s.CloseUnconfirmed > 0 ? $", {s.CloseUnconfirmed} without close confirmation (closed by expiry, or open until the planned end: see the server report)" : ""));
        Row(md, "Transferred", $"{Formats.Bytes(s.BytesTransferred)} ({Formats.Number(s.BytesTransferred)} bytes) over {s.PeerPairs} peer pair(s)");
        Row(md, "Blocked", $"{Formats.Number(s.BlockedAttempts)} attempt(s) from {s.BlockedSources} source(s)");

        md.AppendLine().AppendLine("## Members").AppendLine();
        Table(md, report.Members, "No members: the run's groups matched no endpoint when it started.",
            "| Hostname | Addresses | Allowed peers | Opening confirmed | Close |",
            "|---|---|---:|---|---|",
            m => $"| {Escape(m.Hostname)} | {Escape(Formats.List(m.Addresses))} | {m.AllowedPeers.Count} | {Formats.Utc(m.OpenAckedAt)} | {Escape(m.CloseState ?? "-")}{(m.CloseAckedAt is { } at ? " " + Formats.Utc(at) : "")} |");

        md.AppendLine().AppendLine("## Transfers (who served whom)").AppendLine();
        if (report.TrafficError is { } error)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**Traffic could not be read**: {error.Split('\n')[0]}");
            return md.ToString();
        }

        Table(md, report.Transfers, "No peer traffic was reported.",
            "| Served by | To | Bytes |",
            "|---|---|---:|",
            t => $"| {Escape(Peer(t.ServingHostname, t.ServingAddress))} | {Escape(Peer(t.ReceivingHostname, t.ReceivingAddress))} | {Formats.Bytes(t.Bytes)} ({Formats.Number(t.Bytes)}) |");

        md.AppendLine().AppendLine("## Blocked attempts").AppendLine();
        Table(md, report.Blocked, "No blocked attempts were reported.",
            "| Source | Target | Port | Attempts |",
            "|---|---|---:|---:|",
            b => $"| {Escape(Peer(b.SourceHostname, b.SourceAddress))} | {Escape(b.TargetHostname)} | {b.Port} | {Formats.Number(b.Count)} |");

        return md.ToString();
    }

    /// <summary>A section's table, or one sentence when there is nothing to list.</summary>
    private static void Table<T>(StringBuilder md, IReadOnlyCollection<T> items, string none, string header, string alignment, Func<T, FormattableString> row)
    {
        if (items.Count == 0)
        {
            md.AppendLine(none);
            return;
        }

        md.AppendLine(header);
        md.AppendLine(alignment);
        foreach (var item in items)
        {
            md.AppendLine(row(item).ToString(CultureInfo.InvariantCulture));
        }
    }

    private static string Peer(string? hostname, string address) => hostname is null ? $"{address} (unknown)" : $"{hostname} ({address})";

    private static void Row(StringBuilder md, string name, string value) => md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Escape(value)} |");

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
