using System.CommandLine;
using Orchestrator.Cli.Config;
using Orchestrator.Cli.Planning;
using Orchestrator.Cli.Shell;
using Orchestrator.Core;
using Orchestrator.Core.Schedules;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary>What validate, plan and apply share: the -f option, loading, validation and printing findings.</summary>
internal sealed class ConfigFiles
{
    public Option<string[]> Files { get; } = new("--file", "-f")
    {
        Description = "A YAML file or a directory of them (repeatable)",
        HelpName = "path",
        Required = true,
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string> MinimumDuration { get; } = new("--min-duration")
    {
        Description = "Shortest window the server accepts (its Orchestrator:MinimumWindowDuration); lab servers lower it",
        HelpName = "iso-duration",
        DefaultValueFactory = _ => IsoDurations.Format(ScheduleValidator.DefaultMinimumDuration),
    };

    public void AddTo(Command command)
    {
        command.Add(Files);
        command.Add(MinimumDuration);
    }

    /// <summary>Reads and validates the files. <paramref name="server"/> null = offline (validate).</summary>
    public (SiteConfig Config, DesiredState Desired, List<ConfigDiagnostic> Diagnostics) Load(Invocation invocation, ServerState? server, bool prune)
    {
        var minimum = invocation.Value(MinimumDuration);
        if (!IsoDurations.TryParse(minimum, out var minimumDuration) || minimumDuration < TimeSpan.FromSeconds(5))
        {
            throw new UsageException($"--min-duration '{minimum}' is not accepted; an ISO-8601 duration of at least PT5S, e.g. PT5M");
        }

        var diagnostics = new List<ConfigDiagnostic>();
        var config = ConfigLoader.Load(ConfigLoader.ExpandPaths(invocation.Value(Files)), diagnostics);
        var others = server is null ? null : Planner.SurvivingGroups(config, server, prune);
        var desired = ConfigValidator.Validate(config, minimumDuration, others, diagnostics, invocation.Services.Environment);
        return (config, desired, diagnostics);
    }

    public static bool HasErrors(IEnumerable<ConfigDiagnostic> diagnostics) => diagnostics.Any(d => !d.IsWarning);

    /// <summary>Findings go to stderr, like a compiler's, so that stdout stays the command's result.</summary>
    public static void Print(Invocation invocation, IEnumerable<ConfigDiagnostic> diagnostics)
    {
        foreach (var d in diagnostics.OrderBy(d => d.Location.File, StringComparer.Ordinal).ThenBy(d => d.Location.Line).ThenBy(d => d.Location.Column))
        {
            var severity = d.IsWarning ? "[yellow]warning[/]" : "[red]error[/]";
            var field = d.Field.Length == 0 ? "" : $"[bold]{Markup.Escape(d.Field)}[/]: ";
            invocation.Services.Terminal.Error.MarkupLine($"{Markup.Escape(d.Location.ToString())}: {severity}: {field}{Markup.Escape(d.Message)}");
        }
    }

    public static object ToJson(ConfigDiagnostic d) => new
    {
        file = d.Location.File,
        line = d.Location.Line,
        column = d.Location.Column,
        field = d.Field,
        severity = d.Severity,
        message = d.Message,
    };
}
