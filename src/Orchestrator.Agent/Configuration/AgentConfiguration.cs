using Microsoft.Extensions.Configuration;

namespace Orchestrator.Agent.Configuration;

/// <summary>Where settings come from, lowest precedence first: the JSON file given with <c>--config</c>,
/// environment variables <c>ORCHESTRATOR_AGENT__*</c>, then command-line flags.</summary>
internal static class AgentConfiguration
{
    public const string EnvironmentPrefix = "ORCHESTRATOR_";

    private static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--server-url"] = $"{AgentOptions.SectionName}:{nameof(AgentOptions.ServerUrl)}",
        ["--token"] = $"{AgentOptions.SectionName}:{nameof(AgentOptions.EnrollmentToken)}",
        ["--state-dir"] = $"{AgentOptions.SectionName}:{nameof(AgentOptions.StateDirectory)}",
        ["--hostname"] = $"{AgentOptions.SectionName}:{nameof(AgentOptions.Hostname)}",
        ["--nft"] = $"{AgentOptions.SectionName}:{nameof(AgentOptions.Nft)}",
        ["--config"] = "ConfigFile",
    };

    public static void Add(IConfigurationManager configuration, string[] args)
    {
        var file = ConfigFile(args);
        if (file is not null)
        {
            configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddCommandLine(args, Switches);
    }

    private static string? ConfigFile(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                return args[i]["--config=".Length..];
            }
        }

        return null;
    }
}
