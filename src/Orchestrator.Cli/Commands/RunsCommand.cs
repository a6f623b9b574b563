using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;
using Orchestrator.Core.Runs;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

internal static class RunsCommand
{
    public static Command Create(CliServices services)
    {
        var command = new Command("runs", """
            Runs: one per window occurrence or ad-hoc start, with its state.

            Examples:
              orchestrator runs list --window "Patch Tuesday Berlin"
              orchestrator runs start "Patch Tuesday Berlin" --duration PT30M --cutoff PT5M
              orchestrator runs show 42
            """);
        command.Add(List(services));
        command.Add(RunStartCommand.Create(services));
        command.Add(RunShowCommand.Create(services));
        return command;
    }

    private static Command List(CliServices services)
    {
        var window = new Option<string?>("--window", "-w") { Description = "Only this window's runs (name or id)" };
        var state = new Option<string?>("--state") { Description = $"Only runs in this state: {string.Join(", ", Enum.GetNames<RunState>())}" };
        state.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, Enum.GetNames<RunState>());
        var limit = new Option<int>("--limit") { Description = "At most this many runs, newest first (1-1000)", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1_000)
            {
                result.AddError("--limit must be 1-1000");
            }
        });
        var command = new Command("list", """
            List runs, newest first.

            Examples:
              orchestrator runs list
              orchestrator runs list --window "Patch Tuesday Berlin" --state Closed --limit 10
            """) { window, state, limit };
        services.Bind(command, async (invocation, ct) =>
        {
            long? windowId = invocation.Parse.GetValue(window) is { } w ? (await Lookup.WindowAsync(invocation.Client, w, ct)).Id : null;
            var runs = await invocation.Client.ListRunsAsync(windowId, invocation.Parse.GetValue(state), invocation.Value(limit), ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, runs);
                return ExitCodes.Ok;
            }

            var table = Tables.Create("Run", "Window", "Kind", "State", "Planned start", "Planned end", "Closed", "Reason");
            foreach (var r in runs)
            {
                table.MarkupRow(
                    r.Id.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(r.WindowName),
                    Markup.Escape(r.Kind),
                    Tables.State(r.State),
                    Markup.Escape(Formats.Utc(r.PlannedStart)),
                    Markup.Escape(Formats.Utc(r.PlannedEnd)),
                    Markup.Escape(Formats.Utc(r.ClosedAt)),
                    Markup.Escape(r.CloseReason ?? ""));
            }

            invocation.Out.Write(table);
            invocation.Out.MarkupLine($"{runs.Count} run(s)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
