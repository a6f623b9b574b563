namespace Orchestrator.Cli.Tests.Infrastructure;

/// <summary>YAML files written to a temp folder for one test.</summary>
public sealed class SiteFiles : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "orchestrator-cli-tests", "site-" + Guid.NewGuid().ToString("n"))).FullName;

    public static string Example => Path.Combine(AppContext.BaseDirectory, "examples", "site.yaml");

    public string Write(string name, string yaml)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml.ReplaceLineEndings("\n"));
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
