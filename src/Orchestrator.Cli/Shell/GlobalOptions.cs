using System.CommandLine;

namespace Orchestrator.Cli.Shell;

/// <summary>Options every command accepts (declared once on the root, recursive).</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Server { get; } = new("--server", "-s")
    {
        Description = $"Server URL (default: ${CliEnvironment.Server}, then server: in the config file, then http://127.0.0.1:5080)",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "CLI config file (default: $XDG_CONFIG_HOME/orchestrator/cli.yaml, else ~/.config/orchestrator/cli.yaml); keys: server, apiKey",
        HelpName = "file",
        Recursive = true,
    };

    public Option<string> Output { get; } = CreateOutput();

    private static Option<string> CreateOutput()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "table for people, json for scripts (one JSON document on stdout)",
            DefaultValueFactory = _ => "table",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }
}
