namespace Orchestrator.Agent.Windows.Commands;

/// <summary>Runs a command under a deadline measured by the injected <see cref="TimeProvider"/>.</summary>
internal static class CommandDeadline
{
    /// <summary>Runs <paramref name="command"/>; throws <see cref="TimeoutException"/> when it outlives
    /// <paramref name="timeout"/> (the runner kills it), and <see cref="OperationCanceledException"/> on shutdown.</summary>
    public static async Task<CommandResult> RunAsync(
        this ICommandRunner runner, WindowsCommand command, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            return await runner.RunAsync(command, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"'{Path.GetFileName(command.FileName.Replace('\\', '/'))}' did not finish within {timeout}.");
        }
    }
}
