using Orchestrator.Server.Access;
using Orchestrator.Server.StorageCopy;

namespace Orchestrator.Server.Hosting;

/// <summary><c>--help</c>: how to run the server and its host commands.</summary>
internal static class ServerHelp
{
    public static bool IsHelp(string[] args) => args is ["--help" or "-h" or "-?" or "help"];

    public static string Text => $"""
        Usage: Orchestrator.Server [--config <file>] [--urls <addresses>] [--<Section:Name> <value> ...]
          Runs the server. Settings come from appsettings.json, then the --config file, the environment
          (Orchestrator__Name) and the command line; README.md, "Server settings", lists them.

        {AdminKeyCommand.Usage}

        {StorageCommand.Usage}
        """;
}
