using System.CommandLine;
using Orchestrator.Cli.Config;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Planning;
using Orchestrator.Cli.Shell;

namespace Orchestrator.Cli.Commands;

internal static class PlanCommand
{
    public static Option<bool> Prune() => new("--prune")
    {
        Description = "Also delete what the files no longer name (only kinds the files declare, e.g. an 'endpoints:' key; never agent-enrolled endpoints)",
    };

    public static Command Create(CliServices services)
    {
        var files = new ConfigFiles();
        var prune = Prune();
        var detailed = new Option<bool>("--detailed-exitcode") { Description = $"Exit {ExitCodes.NotDone} when there are differences (0 when none)" };
        var command = new Command("plan", """
            Show what apply would change on the server, field by field: + create, ~ update, - delete (with --prune),
            then each window's next 3 starts (local time with offset, and UTC) as the files define it. Warns about a
            numeric day-of-week in a cron (Quartz 2 is Monday) and blackout dates on which the window never starts.
            Nothing is changed.

            Examples:
              orchestrator plan -f config/examples/site.yaml
              orchestrator plan -f config/ --prune --detailed-exitcode
            """);
        files.AddTo(command);
        command.Add(prune);
        command.Add(detailed);
        services.Bind(command, async (invocation, ct) =>
        {
            var outcome = await PlanAsync(invocation, files, invocation.Value(prune), ct);
            if (outcome is null)
            {
                return ExitCodes.Invalid;
            }

            var (plan, desired) = outcome.Value;
            var starts = NextStarts.Of(desired, invocation.Services.Time.GetUtcNow());
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, PlanPrinter.ToJson(plan, invocation.Client.Server, starts));
            }
            else
            {
                PlanPrinter.Write(invocation.Out, plan, invocation.Client.Server, invocation.Value(prune));
                NextStarts.Write(invocation.Out, starts);
            }

            return plan.HasChanges && invocation.Value(detailed) ? ExitCodes.NotDone : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Reads the server, validates the files against it and builds the plan; null (after printing the findings)
    /// when the files are invalid.</summary>
    public static async Task<(Plan Plan, DesiredState Desired)?> PlanAsync(Invocation invocation, ConfigFiles files, bool prune, CancellationToken ct)
    {
        // Offline checks first: a broken file is reported even when the server is down.
        var (offlineConfig, _, offline) = files.Load(invocation, server: null, prune);
        if (ConfigFiles.HasErrors(offline))
        {
            Report(invocation, offline);
            return null;
        }

        var server = await ServerState.ReadAsync(invocation.Client, ct, withWebhooks: offlineConfig.DeclaresWebhooks);
        var (config, desired, diagnostics) = files.Load(invocation, server, prune);
        if (ConfigFiles.HasErrors(diagnostics))
        {
            Report(invocation, diagnostics);
            return null;
        }

        ConfigFiles.Print(invocation, diagnostics);
        return (Planner.Build(desired, config, server, prune), desired);
    }

    private static void Report(Invocation invocation, List<ConfigDiagnostic> diagnostics)
    {
        if (invocation.Json)
        {
            Json.Write(invocation.Stdout, new { valid = false, diagnostics = diagnostics.Select(ConfigFiles.ToJson) });
        }
        else
        {
            ConfigFiles.Print(invocation, diagnostics);
            invocation.Services.WriteError($"{diagnostics.Count(d => !d.IsWarning)} error(s) in the configuration; nothing was sent to the server");
        }
    }
}
