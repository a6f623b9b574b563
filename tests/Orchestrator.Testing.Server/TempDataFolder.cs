namespace Orchestrator.Testing.Server;

/// <summary>
/// A server's data folder for one test that starts more than one server process on the same files (one is killed, the
/// next starts where it left off), removed when the test ends.
/// </summary>
public sealed class TempDataFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
