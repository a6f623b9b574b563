using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;
using Orchestrator.Core;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>runs start</c>: an ad-hoc run of a window now (POST /windows/{id}/runs), outside its schedule.</summary>
internal static class RunStartCommand
{
    public static Command Create(CliServices services)
    {
        var window = new Argument<string>("window") { Description = "Window name (or id)" };
        var duration = new Option<string>("--duration", "-d")
        {
            Description = "How long the run stays open, ISO-8601 (e.g. PT30M); the server accepts its minimum (PT5M) to PT24H",
            HelpName = "iso-duration",
            Required = true,
        };
        var cutoff = new Option<string?>("--cutoff")
        {
            Description = "No new scans in the run's last part, ISO-8601 from PT0S up to the duration (default: the window's cutoff)",
            HelpName = "iso-duration",
        };
        var command = new Command("start", """
            Start a run of a window now, for the given duration, outside its schedule: its members open the port to
            each other at once. The window's cutoff applies unless --cutoff is given; when it would leave the run no time
            for scans, the server scales it to the same share of the run as of the window and this prints its warning.

            Examples:
              orchestrator runs start "Patch Tuesday Berlin" --duration PT30M
              orchestrator runs start 7 -d PT10M --cutoff PT2M --output json
            """) { window, duration, cutoff };
        services.Bind(command, async (invocation, ct) =>
        {
            var length = Duration(invocation.Value(duration), "--duration");
            var explicitCutoff = invocation.Parse.GetValue(cutoff) is { } c ? Duration(c, "--cutoff") : (TimeSpan?)null;
            if (explicitCutoff > length)
            {
                throw new UsageException($"--cutoff {IsoDurations.Format(explicitCutoff.Value)} is longer than the run; accepted PT0S up to --duration ({IsoDurations.Format(length)})");
            }

            var target = await Lookup.WindowAsync(invocation.Client, invocation.Parse.GetValue(window)!, ct);
            var run = await invocation.Client.StartRunAsync(target.Id, IsoDurations.Format(length), explicitCutoff is { } e ? IsoDurations.Format(e) : null, ct);
            foreach (var warning in run.Warnings ?? [])
            {
                invocation.Services.WriteWarning(warning);
            }

            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, run);
                return ExitCodes.Ok;
            }

            var scans = run.CutoffAt <= run.PlannedStart ? "no scans (cutoff at the start)" : $"no new scans after {Formats.Utc(run.CutoffAt)}";
            invocation.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"Started run [bold]{run.Id}[/] of [bold]{Markup.Escape(run.WindowName)}[/]: {Tables.State(run.State)}, {Markup.Escape(Formats.Utc(run.PlannedStart))} → {Markup.Escape(Formats.Utc(run.PlannedEnd))}, {Markup.Escape(scans)}."));
            invocation.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Follow it with 'orchestrator runs show {run.Id}'."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static TimeSpan Duration(string text, string option) => IsoDurations.TryParse(text, out var value)
        ? value
        : throw new UsageException($"{option} '{text}' is not an ISO-8601 duration; write it like PT30M, PT1H30M or PT0S");
}
