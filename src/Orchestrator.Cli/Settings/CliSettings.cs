namespace Orchestrator.Cli.Settings;

/// <summary>Where the server is and how to authenticate, after flags, environment and config file are merged.</summary>
/// <param name="ServerSource">Which of them named the server, for error messages ("--server", "ORCHESTRATOR_SERVER", a file path, "default").</param>
/// <param name="ApiKey">Sent as <c>Authorization: Bearer</c>. Only from ORCHESTRATOR_API_KEY or the config file: a flag would
/// leave the key in shell history and in every process listing.</param>
internal sealed record CliSettings(Uri Server, string ServerSource, string? ApiKey)
{
    public static readonly Uri DefaultServer = new("http://127.0.0.1:5080");
}
