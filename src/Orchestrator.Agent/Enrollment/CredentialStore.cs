using System.Text.Json;

namespace Orchestrator.Agent.Enrollment;

/// <summary>
/// <c>StateDirectory/credential.json</c>. The secret is a bearer credential for this endpoint, so the folder and the
/// file are restricted to the agent (0700/0600 on Unix, an ACL on Windows) before the secret is written.
/// </summary>
/// <param name="protection">How the folder is restricted; Unix modes unless the start-up wiring says otherwise.</param>
internal sealed class CredentialStore(string stateDirectory, IStateDirectory? protection = null)
{
    public const UnixFileMode DirectoryMode = UnixStateDirectory.DirectoryMode;
    public const UnixFileMode CredentialFileMode = UnixStateDirectory.FileMode;

    private readonly IStateDirectory _protection = protection ?? UnixStateDirectory.Instance;

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
        _protection.Ensure(stateDirectory);
        var temporary = FilePath + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, _protection.NewPrivateFile()))
        {
            JsonSerializer.Serialize(stream, credential, JsonSerializerOptions.Web);
        }

        // Rename so a crash never leaves a half-written credential behind.
        File.Move(temporary, FilePath, overwrite: true);
        _protection.Protect(FilePath);
    }

    public void Delete() => File.Delete(FilePath);
}
