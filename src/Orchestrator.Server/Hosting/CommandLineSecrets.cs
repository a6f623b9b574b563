namespace Orchestrator.Server.Hosting;

/// <summary>
/// A key given as a command-line argument is visible to every local user (ps, /proc/&lt;pid&gt;/cmdline) for as long
/// as the process runs. The server still accepts it (automated installs do this), but says so on every start.
/// </summary>
internal static class CommandLineSecrets
{
    private static readonly string[] SecretSettings = ["BootstrapAdminKey", "PostgresConnectionString"];

    public static void WarnAbout(IEnumerable<string> args, TextWriter error)
    {
        foreach (var name in SecretSettings)
        {
            if (args.Any(a => a.Contains(name, StringComparison.OrdinalIgnoreCase)))
            {
                error.WriteLine(
                    $"Warning: Orchestrator:{name} is given on the command line, where other local users can read it (process list). " +
                    $"Use the environment (Orchestrator__{name}) or a settings file readable only by the server (--config) instead.");
            }
        }
    }
}
