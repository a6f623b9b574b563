namespace Orchestrator.Agent.Enrollment;

/// <summary>
/// The agent's state folder holds its credential (a bearer secret for this endpoint): only the agent's own account
/// may read it. One implementation per OS, chosen once at start-up.
/// </summary>
internal interface IStateDirectory
{
    /// <summary>Creates the folder if needed and restricts it to the agent.</summary>
    void Ensure(string directory);

    /// <summary>Options that create a new file readable by the agent only.</summary>
    FileStreamOptions NewPrivateFile();

    /// <summary>Re-asserts the file's restriction after a rename.</summary>
    void Protect(string file);
}

/// <summary>Folder 0700, files 0600.</summary>
internal sealed class UnixStateDirectory : IStateDirectory
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static readonly UnixStateDirectory Instance = new();

    public void Ensure(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Unix file modes do not exist on Windows; the Windows agent protects its folder with an ACL.");
        }

        Directory.CreateDirectory(directory, DirectoryMode);
        File.SetUnixFileMode(directory, DirectoryMode);
    }

    public FileStreamOptions NewPrivateFile() => OperatingSystem.IsWindows()
        ? throw new PlatformNotSupportedException("Unix file modes do not exist on Windows.")
        : new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode };

    public void Protect(string file)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, FileMode);
        }
    }
}
