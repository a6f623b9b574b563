namespace Orchestrator.Agent.Enforcement;

/// <summary>What an apply did: <see cref="Applied"/> openings are in force, <see cref="Refused"/> names each opening left
/// out (empty when the whole state was applied); <see cref="Notes"/> flags what the endpoint's state makes of it (the
/// report carries them; the state still counts as applied).</summary>
internal sealed record ApplyOutcome(int Applied, IReadOnlyList<string> Refused, IReadOnlyList<string>? Notes = null)
{
    public bool Complete => Refused.Count == 0;
}
