using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

internal static class WindowsCommand
{
    public const int MaxCount = 500;

    public static Command Create(CliServices services)
    {
        var command = new Command("windows", """
            Maintenance windows on the server.

            Examples:
              orchestrator windows list
              orchestrator windows next "Patch Tuesday Berlin" --count 12
            """);
        command.Add(List(services));
        command.Add(Next(services));
        return command;
    }

    private static Command List(CliServices services)
    {
        var command = new Command("list", """
            List windows with their schedule, groups and next start.

            Example:
              orchestrator windows list --output json
            """);
        services.Bind(command, async (invocation, ct) =>
        {
            var windows = await invocation.Client.ListWindowsAsync(ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, windows);
                return ExitCodes.Ok;
            }

            var now = invocation.Services.Time.GetUtcNow();
            var table = Tables.Create("Id", "Name", "Schedule", "Duration", "Groups", "Ports", "Next start (local)", "In");
            foreach (var w in windows.OrderBy(w => w.Name, StringComparer.OrdinalIgnoreCase))
            {
                var schedule = (w.Cron is { } cron ? $"cron {cron}" : $"at {w.At}") + $" {w.TimeZone}" + (w.OffsetDays != 0 ? $" {w.OffsetDays:+0;-0}d" : "");
                var next = w.NextOccurrence;
                table.MarkupRow(
                    w.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(w.Name) + (w.Enabled ? "" : " [grey](disabled)[/]"),
                    Markup.Escape(schedule),
                    Markup.Escape(w.Duration),
                    Markup.Escape(Formats.List(w.Groups)),
                    Markup.Escape(Formats.List(w.Ports.Select(p => $"{p.Port}/{p.Protocol}"))),
                    next is null ? "[grey]-[/]" : Markup.Escape(Formats.Local(next.LocalStart)),
                    next is null ? "" : Markup.Escape(Formats.Duration(next.StartUtc - now)));
            }

            invocation.Out.Write(table);
            invocation.Out.MarkupLine($"{windows.Count} window(s)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Next(CliServices services)
    {
        var name = new Argument<string>("window") { Description = "Window name (or id)" };
        var count = new Option<int>("--count", "-n") { Description = $"How many starts to show (1-{MaxCount})", DefaultValueFactory = _ => 5 };
        var from = new Option<DateTimeOffset?>("--from") { Description = "List starts at or after this instant (default: now), e.g. 2027-01-01T00:00:00Z" };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxCount)
            {
                result.AddError($"--count must be 1-{MaxCount}");
            }
        });
        var command = new Command("next", """
            The next starts of a window in its own time zone, with blackout dates marked as skipped.

            Examples:
              orchestrator windows next "Patch Tuesday Berlin"
              orchestrator windows next "Patch Tuesday Berlin" --count 24 --from 2027-01-01T00:00:00Z
            """) { name, count, from };
        services.Bind(command, async (invocation, ct) =>
        {
            var window = await Lookup.WindowAsync(invocation.Client, invocation.Value(name), ct);
            var occurrences = await invocation.Client.OccurrencesAsync(window.Id, invocation.Parse.GetValue(from), invocation.Value(count), ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, new { window = window.Name, windowId = window.Id, timeZone = window.TimeZone, occurrences });
                return ExitCodes.Ok;
            }

            invocation.Out.MarkupLine($"Next starts of [bold]{Markup.Escape(window.Name)}[/] ({Markup.Escape(window.TimeZone)}, {Markup.Escape(window.Duration)}){(window.Enabled ? "" : " [yellow]— disabled: none of these will open[/]")}");
            var table = Tables.Create("#", "Local start", "Start (UTC)", "End (UTC)", "Note");
            var i = 0;
            foreach (var o in occurrences)
            {
                table.MarkupRow(
                    (++i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(Formats.Local(o.LocalStart)),
                    Markup.Escape(Formats.Utc(o.StartUtc)),
                    Markup.Escape(Formats.Utc(o.EndUtc)),
                    o.Skipped ? $"[yellow]skipped ({Markup.Escape(o.SkipReason ?? "")})[/]" : "");
            }

            invocation.Out.Write(table);
            if (occurrences.Count == 0)
            {
                invocation.Out.MarkupLine("[grey]No further starts (notAfter passed, or a one-off window already started).[/]");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
