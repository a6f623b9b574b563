using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Api;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>runs show</c>: one run's state, its members with what their agents confirmed, and the scans. Members and their
/// confirmations come from GET /runs/{id}; scan outcomes and anomalies from the server's report, so that they read the
/// same as in <c>report</c> and on the report page.
/// </summary>
internal static class RunShowCommand
{
    public static Command Create(CliServices services)
    {
        var run = new Argument<long>("run") { Description = "Run id (see runs list)" };
        var command = new Command("show", """
            One run: its state and times, its peer set once (every member's address as exact ranges; each member accepts
            it without its own addresses), each member with its opening and closing confirmation and its scan outcome,
            the scan totals and the report's anomalies. The full report: orchestrator report <run>.

            Examples:
              orchestrator runs show 42
              orchestrator runs show 42 --output json
            """) { run };
        services.Bind(command, async (invocation, ct) =>
        {
            var id = invocation.Value(run);
            var detail = await invocation.Client.GetRunAsync(id, ct);
            var report = await invocation.Client.GetRunReportAsync(id, ct);
            var rows = report.Endpoints.ToDictionary(e => e.EndpointId);
            var members = detail.Members
                .OrderBy(m => m.Hostname, StringComparer.OrdinalIgnoreCase)
                .Select(m => new ShownMember(
                    m.EndpointId, m.Hostname, m.Addresses, m.OpenAckedAt, m.CloseState, m.CloseAckedAt,
                    rows.GetValueOrDefault(m.EndpointId)?.Agent, rows.GetValueOrDefault(m.EndpointId)?.Scan, rows.GetValueOrDefault(m.EndpointId)?.ScanExitCode))
                .ToList();
            var s = report.Summary;
            var scans = new ShownScans(s.ScansSucceeded, s.ScansFailed, s.ScansRunning, s.ScansNotDispatched);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, new { run = detail.Run, peerSet = detail.PeerSet, members, scans, anomalies = report.Anomalies });
                return ExitCodes.Ok;
            }

            Write(invocation.Out, detail.Run, detail.PeerSet, members, scans, report.Anomalies);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Write(IAnsiConsole console, RunDto r, RunPeerSetDto? peerSet, IReadOnlyList<ShownMember> members, ShownScans scans, IReadOnlyList<AnomalyDto> anomalies)
    {
        var reason = r.CloseReason is { } cr ? $" ({cr})" : "";
        console.MarkupLine($"Run [bold]{r.Id}[/] of [bold]{Markup.Escape(r.WindowName)}[/] (window {r.WindowId}, {Markup.Escape(r.Kind)}): {Tables.State(r.State)}{Markup.Escape(reason)}");
        console.MarkupLine(Markup.Escape($"  planned  {Formats.Utc(r.PlannedStart)} → {Formats.Utc(r.PlannedEnd)}, no new scans after {Formats.Utc(r.CutoffAt)}"));
        console.MarkupLine(Markup.Escape($"  actual   opened {Formats.Utc(r.OpenedAt)}, closed {Formats.Utc(r.ClosedAt)}"));
        console.MarkupLine(Markup.Escape($"  groups   {Formats.List(r.Groups)}"));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"  members  {members.Count}: opening confirmed by {members.Count(m => m.OpenAckedAt is not null)}, close confirmed by {members.Count(m => m.CloseState == "Confirmed")}")));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"  peers    {PeersLine(peerSet)}")));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"  scans    {scans.Succeeded} succeeded, {scans.Failed} failed, {scans.Running} running, {scans.NotDispatched} not dispatched")));

        if (members.Count == 0)
        {
            console.MarkupLine(r.State == "Opening"
                ? "No members yet: they are frozen when the run opens."
                : "No members: the run's groups matched no endpoint when it opened.");
        }
        else
        {
            var table = Tables.Create("Hostname", "Addresses", "Agent", "Opening confirmed", "Close", "Scan");
            foreach (var m in members)
            {
                table.Row(
                    m.Hostname,
                    Formats.List(m.Addresses),
                    m.Agent ?? "-",
                    Formats.Utc(m.OpenAckedAt),
                    m.CloseState is { } state ? state + (m.CloseAckedAt is { } at ? " " + Formats.Utc(at) : "") : "-",
                    m.Scan is { } scan ? scan + (m.ScanExitCode is { } code ? string.Create(CultureInfo.InvariantCulture, $" (exit {code})") : "") : "-");
            }

            console.Write(table);
        }

        if (anomalies.Count == 0)
        {
            console.MarkupLine("Anomalies: none.");
            return;
        }

        console.MarkupLine($"Anomalies ({anomalies.Count}):");
        foreach (var a in anomalies)
        {
            var colour = a.Severity.ToUpperInvariant() switch { "CRITICAL" => "red", "WARNING" => "yellow", _ => "grey" };
            console.MarkupLine($"  [{colour}]{Markup.Escape(a.Severity.ToUpperInvariant())}[/] {Markup.Escape(a.Message)} ({Markup.Escape(a.Code)})");
        }
    }

    // The set once, never per member: a member accepts it without its own addresses. A long set is cut after a few ranges.
    private static string PeersLine(RunPeerSetDto? set) => set is null
        ? "none yet: frozen when the run opens"
        : string.Create(CultureInfo.InvariantCulture, $"{set.Addresses} {(set.Addresses == 1 ? "address" : "addresses")} in {set.Ranges.Count} {(set.Ranges.Count == 1 ? "range" : "ranges")}: ")
          + string.Join(", ", set.Ranges.Take(5)) + (set.Ranges.Count > 5 ? ", …" : "");

    private sealed record ShownMember(
        long EndpointId, string Hostname, IReadOnlyList<string> Addresses, DateTimeOffset? OpenAckedAt,
        string? CloseState, DateTimeOffset? CloseAckedAt, string? Agent, string? Scan, int? ScanExitCode);

    private sealed record ShownScans(int Succeeded, int Failed, int Running, int NotDispatched);
}
