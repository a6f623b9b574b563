namespace Orchestrator.Cli.Shell;

/// <summary>A failure the user can act on; <see cref="ExitCode"/> tells scripts which kind.</summary>
internal class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The command line asks for something impossible (exit 2).</summary>
internal sealed class UsageException(string message) : CliException(ExitCodes.Usage, message);

/// <summary>The server could not be reached (exit 4).</summary>
internal sealed class ConnectionException(string message, Exception inner) : CliException(ExitCodes.ConnectionError, message, inner);
