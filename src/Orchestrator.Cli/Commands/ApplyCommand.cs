using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Planning;
using Orchestrator.Cli.Shell;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

internal static class ApplyCommand
{
    public static Command Create(CliServices services)
    {
        var files = new ConfigFiles();
        var prune = PlanCommand.Prune();
        var closeRuns = new Option<bool>("--close-runs")
        {
            Description = "With --prune: close the open runs of a window being deleted (the server refuses to delete a window with open runs otherwise)",
        };
        var command = new Command("apply", """
            Make the server match the files: create and update what differs, and with --prune delete what the files no
            longer name. Idempotent: a second apply changes nothing and says so. Stops at the first refusal; run it
            again after fixing the file. A window with open runs is not deleted unless --close-runs closes them.

            Examples:
              orchestrator apply -f config/examples/site.yaml
              orchestrator apply -f config/ --prune --output json
              orchestrator apply -f config/ --prune --close-runs
            """);
        files.AddTo(command);
        command.Add(prune);
        command.Add(closeRuns);
        services.Bind(command, async (invocation, ct) =>
        {
            if (await PlanCommand.PlanAsync(invocation, files, invocation.Value(prune), ct) is not var (plan, _))
            {
                return ExitCodes.Invalid;
            }

            var steps = plan.Changes.Where(c => c.Action != ChangeAction.Untracked).ToList();
            if (steps.Count > 0)
            {
                await RunAsync(invocation, plan, steps.Count, invocation.Value(closeRuns), ct);
            }

            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, PlanPrinter.ToJson(plan, invocation.Client.Server));
            }
            else if (steps.Count == 0)
            {
                invocation.Out.MarkupLine($"[green]No changes:[/] the server already matches the files ({plan.Unchanged} object(s) unchanged).");
            }
            else
            {
                invocation.Out.MarkupLine($"[green]Applied:[/] {plan.Count(ChangeAction.Create)} created, {plan.Count(ChangeAction.Update)} updated, {plan.Count(ChangeAction.Delete)} deleted, {plan.Unchanged} unchanged.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A live bar on a terminal, then the list of changes; one line per change as it happens otherwise (logs,
    /// CI); nothing in JSON mode.</summary>
    private static async Task RunAsync(Invocation invocation, Plan plan, int total, bool closeRuns, CancellationToken ct)
    {
        if (invocation.Json)
        {
            await Applier.ApplyAsync(plan, invocation.Client, closeRuns, _ => { }, ct);
            return;
        }

        if (!invocation.Services.Terminal.IsLive)
        {
            await Applier.ApplyAsync(plan, invocation.Client, closeRuns, done => Log(invocation, done), ct);
            return;
        }

        var completed = new List<Change>();
        try
        {
            await new Progress(invocation.Out, invocation.Services.Time) { AutoClear = true }
                .StartAsync(async context =>
                {
                    var task = context.AddTask("Applying", maxValue: total);
                    await Applier.ApplyAsync(plan, invocation.Client, closeRuns, done =>
                    {
                        completed.AddRange(done);
                        task.Increment(done.Count);
                    }, ct);
                });
        }
        finally
        {
            Log(invocation, completed);
        }
    }

    private static void Log(Invocation invocation, IEnumerable<Change> done)
    {
        foreach (var change in done)
        {
            var verb = change.Action switch
            {
                ChangeAction.Create => "[green]created[/]",
                ChangeAction.Update => "[yellow]updated[/]",
                _ => "[red]deleted[/]",
            };
            invocation.Out.MarkupLine($"{verb} {Markup.Escape($"{change.Kind} '{change.Name}'")}");
        }
    }
}
