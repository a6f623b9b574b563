namespace Orchestrator.Agent.Enforcement;

/// <summary>What an apply did: <see cref="Applied"/> openings are in force, <see cref="Refused"/> names each opening left
/// out (empty when the whole state was applied).</summary>
internal sealed record ApplyOutcome(int Applied, IReadOnlyList<string> Refused)
{
    public bool Complete => Refused.Count == 0;
}
