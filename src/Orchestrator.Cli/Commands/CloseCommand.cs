using System.CommandLine;
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
            Close a run now: its members close port 7680 at once (a run that has not opened yet is cancelled).
            Asks for confirmation unless --yes; without a terminal it refuses to run without --yes.

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
                invocation.Out.MarkupLine($"Run [bold]{id}[/] of [bold]{Markup.Escape(r.WindowName)}[/] is {Tables.State(r.State)} with {detail.Members.Count} member(s), planned to end {Markup.Escape(Formats.Utc(r.PlannedEnd))}.");
                invocation.Out.Markup("Close it now? [[y/N]] ");
                var answer = (await invocation.Services.Console.In.ReadLineAsync(ct))?.Trim();
                if (answer is not ("y" or "Y" or "yes" or "YES" or "Yes"))
                {
                    invocation.Out.MarkupLine("Not closed; nothing was changed.");
                    return ExitCodes.NotDone;
                }
            }

            var closed = await invocation.Client.CloseRunAsync(id, ct);
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
}
