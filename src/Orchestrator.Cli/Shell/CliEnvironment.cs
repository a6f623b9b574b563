using System.Collections;

namespace Orchestrator.Cli;

/// <summary>The environment variables the CLI reads, passed in so that tests never depend on the machine's.</summary>
public static class CliEnvironment
{
    public const string Server = "ORCHESTRATOR_SERVER";
    public const string ApiKey = "ORCHESTRATOR_API_KEY";

    /// <summary>The signing secret of <c>webhooks create</c> (never a flag: other local users can read arguments).</summary>
    public const string WebhookSecret = "ORCHESTRATOR_WEBHOOK_SECRET";
    public const string NoColor = "NO_COLOR";
    public const string Columns = "COLUMNS";

    public static IReadOnlyDictionary<string, string?> FromProcess()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }

        return variables;
    }

    internal static string? Get(this IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
}
