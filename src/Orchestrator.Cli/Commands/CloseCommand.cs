using System.CommandLine;
using System.Net;
using Orchestrator.Cli.Api;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

internal static class CloseCommand
{
    public static Command Create(CliServices services)
    {
        var run = new Argument<long>("run") { Description = "Run id (see runs list)" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask; required when there is no terminal to ask on" };
        var command = new Command("close", """
            Close a run now: its members close the window's ports (7680 by default) at once (a run that has not
            opened yet is cancelled). Asks for confirmation unless --yes; without a terminal it refuses to run without
            --yes. A run that has already ended (Closing, Closed, Cancelled, Skipped, Missed) is left as it is: a note,
            exit code 0.

            Examples:
              orchestrator close 42
              orchestrator close 42 --yes
            """) { run, yes };
        services.Bind(command, async (invocation, ct) =>
        {
            var id = invocation.Value(run);
            if (!invocation.Value(yes))
            {
                if (!invocation.Services.Terminal.CanPrompt || invocation.Json)
                {
                    throw new UsageException($"close needs confirmation and there is no terminal to ask on; run 'orchestrator close {id} --yes' to close run {id} without asking");
                }

                var detail = await invocation.Client.GetRunAsync(id, ct);
                var r = detail.Run;
                if (AlreadyEnded(r))
                {
                    return Note(invocation, r);
                }

                invocation.Out.MarkupLine($"Run [bold]{id}[/] of [bold]{Markup.Escape(r.WindowName)}[/] is {Tables.State(r.State)} with {detail.Members.Count} member(s), planned to end {Markup.Escape(Formats.Utc(r.PlannedEnd))}.");
                invocation.Out.Markup("Close it now? [[y/N]] ");
                var answer = (await invocation.Services.Console.In.ReadLineAsync(ct))?.Trim();
                if (answer is not ("y" or "Y" or "yes" or "YES" or "Yes"))
                {
                    invocation.Out.MarkupLine("Not closed; nothing was changed.");
                    return ExitCodes.NotDone;
                }
            }

            RunDto closed;
            try
            {
                closed = await invocation.Client.CloseRunAsync(id, ct);
            }
            catch (ApiException e) when (e.Status == HttpStatusCode.Conflict)
            {
                // What the operator wanted may hold already: a script that closes "to be sure" must not fail on it.
                var current = (await invocation.Client.GetRunAsync(id, ct)).Run;
                if (!AlreadyEnded(current))
                {
                    throw;
                }

                return Note(invocation, current);
            }

            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, closed);
            }
            else
            {
                invocation.Out.MarkupLine($"Run [bold]{id}[/] of {Markup.Escape(closed.WindowName)} is now {Tables.State(closed.State)}; agents close the port on their next poll (within seconds).");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Closing, Closed, Cancelled, Skipped or Missed: the port is (being) closed or never opened.</summary>
    private static bool AlreadyEnded(RunDto run) => run.State is "Closing" or "Closed" or "Cancelled" or "Skipped" or "Missed";

    private static int Note(Invocation invocation, RunDto run)
    {
        var when = run.ClosedAt is { } at ? $" since {Formats.Utc(at)}" : "";
        var reason = run.CloseReason is { } r ? $" ({r})" : "";
        var note = $"run {run.Id} of {run.WindowName} is already {run.State}{when}{reason}; nothing was changed";
        if (invocation.Json)
        {
            Json.Write(invocation.Stdout, run);
            invocation.Services.WriteNote(note);
        }
        else
        {
            invocation.Out.MarkupLine($"Run [bold]{run.Id}[/] of {Markup.Escape(run.WindowName)} is already {Tables.State(run.State)}{Markup.Escape(when + reason)}; nothing was changed.");
        }

        return ExitCodes.Ok;
    }
}
