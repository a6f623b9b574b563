namespace Orchestrator.Data.Tests.Sqlite;

/// <summary>The repository's db/ folder, found from the test's own folder upwards.</summary>
internal static class DbFolder
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Orchestrator.sln")))
        {
            dir = dir.Parent;
        }

        return System.IO.Path.Combine(dir!.FullName, "db", "sqlite");
    }
}
