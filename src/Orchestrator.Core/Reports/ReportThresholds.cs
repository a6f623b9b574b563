namespace Orchestrator.Core.Reports;

/// <summary>Where the anomaly rules draw their lines. The server fills them from its settings.</summary>
public sealed record ReportThresholds
{
    /// <summary>A run opening (or an agent acknowledging it) later than this is reported as late.</summary>
    public TimeSpan LateOpenAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A run closing later than this after its planned end is reported as closed late.</summary>
    public TimeSpan LateCloseAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An agent silent for longer is offline.</summary>
    public TimeSpan AgentOfflineAfter { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>A scan without an outcome this long after its timeout counts as failed (as the dispatcher counts it).</summary>
    public TimeSpan ScanOverdueGrace { get; init; } = TimeSpan.FromSeconds(30);

    public static ReportThresholds Default { get; } = new();
}
