namespace Orchestrator.Data.Metrics;

/// <summary>What /metrics reports as "now" values, read in one go at each scrape.</summary>
public interface IFleetGauges
{
    Task<FleetGauges> ReadAsync(DateTimeOffset now, TimeSpan agentOfflineAfter, CancellationToken cancellationToken = default);
}

/// <param name="RunsByState">Runs per state name (every state, 0 when none).</param>
/// <param name="MembersOpen">Members of runs that are Open or in their Cutoff: endpoints whose port is open now.</param>
/// <param name="AgentsOnline">Agents not revoked and heard from within the offline threshold.</param>
/// <param name="AgentsOffline">Agents not revoked and silent for longer (or never heard from).</param>
public sealed record FleetGauges(IReadOnlyDictionary<string, long> RunsByState, long MembersOpen, long AgentsOnline, long AgentsOffline);
