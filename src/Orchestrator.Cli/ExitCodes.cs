namespace Orchestrator.Cli;

/// <summary>What the process exit code tells a script. Documented in docs/cli.md; tests pin every value.</summary>
public static class ExitCodes
{
    /// <summary>Done; for plan: no differences (or differences without --detailed-exitcode).</summary>
    public const int Ok = 0;

    /// <summary>The configuration files are invalid (validate, plan, apply); nothing was sent to the server.</summary>
    public const int Invalid = 1;

    /// <summary>The command line is wrong: unknown command or option, missing argument, a file that does not exist,
    /// or a confirmation that cannot be asked (no terminal and no --yes).</summary>
    public const int Usage = 2;

    /// <summary>The server answered with an error (refused a change, not found, conflict, 5xx).</summary>
    public const int ServerError = 3;

    /// <summary>The server could not be reached (refused, unknown host, timeout).</summary>
    public const int ConnectionError = 4;

    /// <summary>Nothing was changed on purpose: plan --detailed-exitcode found differences, or the operator
    /// answered no to a confirmation.</summary>
    public const int NotDone = 5;

    /// <summary>A bug in the CLI: the message is worth a bug report.</summary>
    public const int InternalError = 70;
}
