using System.Text.Json;

namespace Orchestrator.Agent.Enrollment;

/// <summary>
/// <c>StateDirectory/credential.json</c>. The secret is a bearer credential for this endpoint, so the
/// directory is 0700 and the file is created 0600 before the secret is written (never widened afterwards).
/// </summary>
internal sealed class CredentialStore(string stateDirectory)
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode CredentialFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string FilePath { get; } = Path.Combine(stateDirectory, "credential.json");

    public AgentCredential? Load()
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }

        var credential = JsonSerializer.Deserialize<AgentCredential>(File.ReadAllText(FilePath), JsonSerializerOptions.Web);
        return credential is { AgentId.Length: > 0, Secret.Length: > 0 }
            ? credential
            : throw new InvalidDataException($"{FilePath} does not hold agentId and secret; delete it to enroll again.");
    }

    public void Save(AgentCredential credential)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotOnWindows();
        }

        EnsureStateDirectory(stateDirectory);
        var temporary = FilePath + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = CredentialFileMode,
        }))
        {
            JsonSerializer.Serialize(stream, credential, JsonSerializerOptions.Web);
        }

        // Rename so a crash never leaves a half-written credential behind.
        File.Move(temporary, FilePath, overwrite: true);
        File.SetUnixFileMode(FilePath, CredentialFileMode);
    }

    public void Delete() => File.Delete(FilePath);

    public static void EnsureStateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotOnWindows();
        }

        Directory.CreateDirectory(directory, DirectoryMode);
        File.SetUnixFileMode(directory, DirectoryMode);
    }

    // Unix modes are the protection here; the Windows agent will protect the file with an ACL instead.
    private static PlatformNotSupportedException NotOnWindows() =>
        new("The credential store protects files with Unix modes; Windows needs an ACL-based store.");
}
