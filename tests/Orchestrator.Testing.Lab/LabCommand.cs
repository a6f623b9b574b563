namespace Orchestrator.Testing.Lab;

/// <summary>A program to start inside a lab host, with the environment variables it gets on top of the test's.</summary>
public sealed record LabCommand(string File, IReadOnlyList<string> Arguments)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string? WorkingDirectory { get; init; }
}
