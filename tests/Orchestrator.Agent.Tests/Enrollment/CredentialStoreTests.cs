using Orchestrator.Agent.Enrollment;

namespace Orchestrator.Agent.Tests.Enrollment;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CredentialStoreTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "orchestrator-agent-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_credential_file_is_0600_in_a_0700_directory_and_reads_back()
    {
        var directory = Path.Combine(root, "state");
        var store = new CredentialStore(directory);
        var credential = new AgentCredential("agent-1", 7, "s3cret");

        store.Save(credential);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(credential, new CredentialStore(directory).Load());
        Assert.Contains("\"agentId\"", File.ReadAllText(store.FilePath), StringComparison.Ordinal);
    }

    [Fact]
    public void No_file_means_no_credential_so_the_agent_enrolls() =>
        Assert.Null(new CredentialStore(Path.Combine(root, "empty")).Load());

    [Fact]
    public void A_file_without_a_secret_is_refused_with_what_to_do()
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "credential.json"), """{"agentId":"a","endpointId":1}""");

        Assert.Contains("delete it to enroll again", Assert.Throws<InvalidDataException>(() => new CredentialStore(root).Load()).Message, StringComparison.Ordinal);
    }
}
