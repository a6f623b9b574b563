using Orchestrator.Cli.Shell;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Cli.Settings;

/// <summary>
/// Merges the server address and API key: <c>--server</c> over <c>ORCHESTRATOR_SERVER</c> over the config file over the
/// default; the API key from <c>ORCHESTRATOR_API_KEY</c> over the config file. The config file is <c>--config</c>, else
/// <c>$XDG_CONFIG_HOME/orchestrator/cli.yaml</c>, else <c>~/.config/orchestrator/cli.yaml</c>; a missing default file is fine.
/// </summary>
internal static class SettingsLoader
{
    private static readonly string[] Accepted = ["server", "apiKey"];

    public static CliSettings Load(string? serverFlag, string? configFlag, IReadOnlyDictionary<string, string?> environment, Action<string> warn)
    {
        var path = configFlag ?? DefaultConfigPath(environment);
        var file = new Dictionary<string, string>(StringComparer.Ordinal);
        if (configFlag is not null && !File.Exists(configFlag))
        {
            throw new UsageException($"--config {configFlag}: the file does not exist");
        }

        if (path is not null && File.Exists(path))
        {
            file = ReadFile(path);
            if (file.ContainsKey("apiKey") && !OperatingSystem.IsWindows() && IsReadableByOthers(path))
            {
                warn($"{path} holds an API key and can be read by other users; chmod 600 {path}");
            }
        }

        var (server, source) = serverFlag is not null ? (serverFlag, "--server")
            : environment.Get(CliEnvironment.Server) is { } fromEnvironment ? (fromEnvironment, CliEnvironment.Server)
            : file.TryGetValue("server", out var fromFile) ? (fromFile, path!)
            : (CliSettings.DefaultServer.ToString(), "default");
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"server '{server}' (from {source}) is not accepted; use an http:// or https:// URL such as {CliSettings.DefaultServer}");
        }

        var apiKey = environment.Get(CliEnvironment.ApiKey) ?? file.GetValueOrDefault("apiKey");
        return new CliSettings(uri, source, apiKey);
    }

    private static string? DefaultConfigPath(IReadOnlyDictionary<string, string?> environment)
    {
        var home = environment.Get("HOME") ?? environment.Get("USERPROFILE");
        var root = environment.Get("XDG_CONFIG_HOME") ?? (home is null ? null : Path.Combine(home, ".config"));
        return root is null ? null : Path.Combine(root, "orchestrator", "cli.yaml");
    }

    private static Dictionary<string, string> ReadFile(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new UsageException($"{path}:{e.Start.Line}:{e.Start.Column}: {e.Message}");
        }

        if (stream.Documents.Count == 0)
        {
            return values;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new UsageException($"{path}: expected a mapping with the keys {string.Join(", ", Accepted)}");
        }

        foreach (var (key, value) in root.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!Accepted.Contains(name, StringComparer.Ordinal))
            {
                throw new UsageException($"{path}:{key.Start.Line}:{key.Start.Column}: unknown key '{name}'; accepted: {string.Join(", ", Accepted)}");
            }

            if (value is not YamlScalarNode { Value: { Length: > 0 } text })
            {
                throw new UsageException($"{path}:{value.Start.Line}:{value.Start.Column}: {name}: expected a text value");
            }

            values[name] = text;
        }

        return values;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool IsReadableByOthers(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
}
