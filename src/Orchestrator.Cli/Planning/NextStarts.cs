using System.Globalization;
using Orchestrator.Cli.Config;
using Orchestrator.Cli.Output;
using Orchestrator.Core.Schedules;
using Spectre.Console;

namespace Orchestrator.Cli.Planning;

/// <summary>One window's next starts as the files define it, i.e. as they will be once applied.</summary>
internal sealed record WindowStarts(string Window, string TimeZone, bool Enabled, IReadOnlyList<Occurrence> Starts);

/// <summary>
/// What <c>plan</c> shows under the changes: each window's next starts, so that a schedule read wrongly (a numeric
/// day-of-week, a zone) is seen before it opens a port on the wrong evening. Computed by Core's schedule engine, the
/// one the server runs (GET /windows/{id}/occurrences answers the same), so windows not yet applied are shown too.
/// </summary>
internal static class NextStarts
{
    public const int Shown = 3;

    public static IReadOnlyList<WindowStarts> Of(DesiredState desired, DateTimeOffset now) =>
        desired.Windows
            .Select(w => new WindowStarts(
                w.Definition.Name, w.Definition.Schedule.TimeZone, w.Definition.Enabled,
                OccurrenceCalculator.From(w.Definition.Schedule, now).Take(Shown).ToList()))
            .ToList();

    public static void Write(IAnsiConsole console, IReadOnlyList<WindowStarts> windows)
    {
        if (windows.Count == 0)
        {
            return;
        }

        console.WriteLine();
        console.MarkupLine($"Next starts (at most {Shown} per window; local time in the window's zone, then UTC):");
        foreach (var w in windows)
        {
            var disabled = w.Enabled ? "" : " [yellow]— disabled: none of these will open[/]";
            console.MarkupLine($"  [bold]{Markup.Escape(w.Window)}[/] ({Markup.Escape(w.TimeZone)}){disabled}");
            if (w.Starts.Count == 0)
            {
                console.MarkupLine("    [grey]no further starts (one-off in the past, or after notAfter)[/]");
            }

            foreach (var o in w.Starts)
            {
                var skipped = o.Skipped is { } reason ? $"  [grey]skipped ({reason.ToString().ToLowerInvariant()})[/]" : "";
                console.MarkupLine($"    {Markup.Escape($"{o.LocalStart.ToString("ddd", CultureInfo.InvariantCulture)} {Formats.Local(o.LocalStart)}   {Formats.Utc(o.StartUtc)}")}{skipped}");
            }
        }
    }

    public static object ToJson(IReadOnlyList<WindowStarts> windows) => windows.Select(w => new
    {
        window = w.Window,
        timeZone = w.TimeZone,
        enabled = w.Enabled,
        starts = w.Starts.Select(o => new
        {
            key = o.Key,
            localStart = o.LocalStart,
            startUtc = o.StartUtc,
            endUtc = o.EndUtc,
            skipped = o.Skipped is not null,
            skipReason = o.Skipped?.ToString().ToLowerInvariant(),
        }),
    });
}
