namespace Orchestrator.Server.Hosting;

/// <summary>
/// The data folder holds every credential hash, the audit log and the cookie-protection keys: only the server's own
/// user may read it. The folder is 0700 and each database file 0600; SQLite gives a database's -wal and -shm files the
/// database file's mode, so creating the empty database file with 0600 covers them too. Files of an older install are
/// narrowed at every start. Windows keeps its ACLs (the folder inherits its parent's).
/// </summary>
internal static class DataFolder
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly string[] SqliteSuffixes = ["", "-wal", "-shm", "-journal"];

    public static string KeysDirectory(OrchestratorOptions settings) => Path.Combine(settings.DataDirectory, "keys");

    /// <param name="databaseFiles">The storage backend's database files in the folder (none for a database server).</param>
    public static void Prepare(OrchestratorOptions settings, IReadOnlyList<string> databaseFiles)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(settings.DataDirectory);
            Directory.CreateDirectory(KeysDirectory(settings));
            return;
        }

        MakePrivateFolder(settings.DataDirectory);
        MakePrivateFolder(KeysDirectory(settings));
        foreach (var database in databaseFiles)
        {
            if (!File.Exists(database))
            {
                // An empty file is an empty SQLite database; created here so that it never exists with a wider mode.
                using var created = new FileStream(database, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
            }

            foreach (var suffix in SqliteSuffixes)
            {
                MakePrivateFile(database + suffix);
            }
        }

        MakePrivateFiles(KeysDirectory(settings));
    }

    /// <summary>Narrows every file directly in <paramref name="folder"/> to 0600.</summary>
    public static void MakePrivateFiles(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(folder))
        {
            MakePrivateFile(file);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void MakePrivateFolder(string path)
    {
        Directory.CreateDirectory(path, FolderMode);
        File.SetUnixFileMode(path, FolderMode);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void MakePrivateFile(string path)
    {
        if (File.Exists(path) && File.GetUnixFileMode(path) != FileMode)
        {
            File.SetUnixFileMode(path, FileMode);
        }
    }
}
