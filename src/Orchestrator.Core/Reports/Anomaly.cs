namespace Orchestrator.Core.Reports;

public enum AnomalySeverity
{
    Critical,
    Warning,
    Info,
}

/// <summary>
/// One finding about a run, with the endpoints (or sources) it concerns: <see cref="Count"/> of them, the first
/// <see cref="Examples"/> by name. <see cref="Code"/> is stable for tickets and filters.
/// </summary>
public sealed record Anomaly(string Code, AnomalySeverity Severity, string Message, int Count, IReadOnlyList<string> Examples)
{
    /// <summary>How many names an anomaly carries; the count says how many there are.</summary>
    public const int MaxExamples = 20;
}
