namespace Orchestrator.Agent.Windows.State;

/// <summary>
/// The Windows agent's files in the state directory: <c>takeover.json</c> (what the host looked like before the
/// agent first changed it; written once, never overwritten) and <c>restore.ps1</c> (the uninstall script generated
/// from it). <paramref name="ensureDirectory"/> creates the directory with its protection (an ACL on Windows).
/// </summary>
internal sealed class WindowsStateFiles(string directory, Action<string> ensureDirectory)
{
    public string SnapshotPath { get; } = Path.Combine(directory, "takeover.json");

    public string RestoreScriptPath { get; } = Path.Combine(directory, "restore.ps1");

    public HostSnapshot? ReadSnapshot() => File.Exists(SnapshotPath) ? HostSnapshot.Parse(File.ReadAllText(SnapshotPath)) : null;

    public void WriteSnapshot(HostSnapshot snapshot) => WriteAtomically(SnapshotPath, snapshot.ToJson());

    public void WriteRestoreScript(string script) => WriteAtomically(RestoreScriptPath, script.ReplaceLineEndings("\r\n"));

    private void WriteAtomically(string path, string text)
    {
        ensureDirectory(directory);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
