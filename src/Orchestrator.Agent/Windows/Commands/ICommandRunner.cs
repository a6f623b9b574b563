namespace Orchestrator.Agent.Windows.Commands;

/// <summary>
/// The one seam between the Windows backend and the operating system: every PowerShell, UsoClient or other
/// invocation is a <see cref="WindowsCommand"/> passed here. Production starts a process; tests record the command
/// and answer with canned output, which is how this backend is verified on a Linux build machine.
/// </summary>
internal interface ICommandRunner
{
    /// <summary>Runs <paramref name="command"/> to completion. A command still running when
    /// <paramref name="cancellationToken"/> fires is killed and <see cref="OperationCanceledException"/> is thrown.
    /// Throws <see cref="CommandUnavailableException"/> when the program cannot be started at all.</summary>
    Task<CommandResult> RunAsync(WindowsCommand command, CancellationToken cancellationToken);
}

/// <summary>The program of a command could not be started (missing, not permitted).</summary>
internal sealed class CommandUnavailableException(string message, Exception inner) : Exception(message, inner);
