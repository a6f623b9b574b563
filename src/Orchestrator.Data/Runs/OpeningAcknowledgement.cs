namespace Orchestrator.Data.Runs;

/// <summary>An endpoint's agent had a state holding <see cref="RunIds"/> in force at <see cref="At"/> (it said so on its
/// next state poll): those runs' openings are acknowledged at that time.</summary>
public sealed record OpeningAcknowledgement(long EndpointId, IReadOnlyCollection<long> RunIds, DateTimeOffset At);
