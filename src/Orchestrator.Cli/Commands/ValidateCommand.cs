using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

internal static class ValidateCommand
{
    public static Command Create(CliServices services)
    {
        var files = new ConfigFiles();
        var command = new Command("validate", """
            Check configuration files offline: YAML syntax, field types and the same rules the server applies.
            Every finding is printed as file:line:column with the field and what is accepted. Warnings (exit code
            unaffected): a numeric day-of-week in a cron (Quartz counts 1 = Sunday, so 2 is Monday, not Tuesday as in
            Linux cron) and blackout dates on which the window never starts.

            Examples:
              orchestrator validate -f config/examples/site.yaml
              orchestrator validate -f config/ --output json
            """);
        files.AddTo(command);
        services.Bind(command, (invocation, _) =>
        {
            var (config, _, diagnostics) = files.Load(invocation, server: null, prune: false);
            var valid = !ConfigFiles.HasErrors(diagnostics);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, new
                {
                    valid,
                    files = config.Files,
                    endpoints = config.Endpoints.Count,
                    groups = config.Groups.Count,
                    windows = config.Windows.Count,
                    diagnostics = diagnostics.Select(ConfigFiles.ToJson),
                });
            }
            else
            {
                ConfigFiles.Print(invocation, diagnostics);
                var counts = $"{config.Endpoints.Count} endpoint(s), {config.Groups.Count} group(s), {config.Windows.Count} window(s) in {config.Files.Count} file(s)";
                invocation.Out.MarkupLine(valid
                    ? $"[green]valid:[/] {counts}"
                    : $"[red]invalid:[/] {diagnostics.Count(d => !d.IsWarning)} error(s); {counts}");
            }

            return Task.FromResult(valid ? ExitCodes.Ok : ExitCodes.Invalid);
        });
        return command;
    }
}
