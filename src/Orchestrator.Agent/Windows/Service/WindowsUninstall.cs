using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.State;

namespace Orchestrator.Agent.Windows.Service;

/// <summary>The <c>uninstall</c> verb: puts the endpoint back as the takeover record says it was (the script of
/// <see cref="HostScripts.Restore"/>, generated again from <c>takeover.json</c>, so an edited restore.ps1 is not trusted).</summary>
internal sealed class WindowsUninstall(ICommandRunner runner, PowerShell powerShell, WindowsStateFiles files, TimeSpan commandTimeout, TimeProvider time)
{
    /// <summary>Returns a sentence for the operator and whether the endpoint was restored.</summary>
    public async Task<(bool Restored, string Message)> RunAsync(CancellationToken cancellationToken)
    {
        if (files.ReadSnapshot() is not { } recorded)
        {
            return (false, $"no takeover record at {files.SnapshotPath}: the agent never changed this endpoint, nothing to restore");
        }

        CommandResult result;
        try
        {
            result = await runner.RunAsync(powerShell.Script(HostScripts.Restore(recorded)), commandTimeout, time, cancellationToken);
        }
        catch (Exception ex) when (ex is CommandUnavailableException or TimeoutException)
        {
            return (false, $"restore did not run: {ex.Message}");
        }

        return result.Succeeded
            ? (true, $"restored from {files.SnapshotPath}: rules and tasks of the agent removed, built-in Delivery Optimization rules and policy values as recorded. Stop and delete the service next.")
            : (false, $"restore failed ({result.Describe()})");
    }
}
