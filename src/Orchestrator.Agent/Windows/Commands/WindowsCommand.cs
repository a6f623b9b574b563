namespace Orchestrator.Agent.Windows.Commands;

/// <summary>One process the Windows backend starts: an absolute <see cref="FileName"/>, its arguments (quoted by the
/// runner, never by hand) and what is written to its standard input. Tests compare these records as golden text.</summary>
internal sealed record WindowsCommand(string FileName, IReadOnlyList<string> Arguments, string? StandardInput)
{
    /// <summary>Readable form for logs and golden tests: the command line, then the standard input after a blank line.</summary>
    public override string ToString() =>
        StandardInput is null
            ? $"{FileName} {string.Join(' ', Arguments)}"
            : $"{FileName} {string.Join(' ', Arguments)}\n\n{StandardInput}";
}

/// <summary>What a finished command left behind.</summary>
internal sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>One line for an exception message: the exit code and the first lines of standard error.</summary>
    public string Describe()
    {
        var error = StandardError.Trim();
        if (error.Length > 800)
        {
            error = error[..800] + " …";
        }

        return $"exit {ExitCode}{(error.Length > 0 ? ": " + error : "")}";
    }
}
