namespace Orchestrator.Testing.Lab;

/// <summary>Outcome of one command run to completion.</summary>
public sealed record ExecResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    public ExecResult EnsureSuccess(string what) => Succeeded
        ? this
        : throw new InvalidOperationException($"{what} failed with exit {ExitCode}: {StandardError.Trim()} {StandardOutput.Trim()}");
}
