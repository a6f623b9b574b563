namespace Orchestrator.Agent.Enforcement;

/// <summary>The agent found its rules removed or altered (<see cref="Finding"/>) and installed them again, with
/// <see cref="OpeningsRestored"/> openings at their remaining time.</summary>
internal sealed record FirewallRepair(string Finding, int OpeningsRestored);
