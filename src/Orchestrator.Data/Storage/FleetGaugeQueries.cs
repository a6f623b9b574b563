using System.Data;
using Dapper;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Metrics;

namespace Orchestrator.Data.Storage;

/// <summary>The fleet gauges' statements, the same in both dialects (docs/decisions.md, "Shared Dapper statements").</summary>
internal static class FleetGaugeQueries
{
    public static async Task<FleetGauges> ReadAsync(IDbConnection connection, DateTimeOffset now, TimeSpan agentOfflineAfter)
    {
        var states = Enum.GetNames<RunState>().ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        foreach (var (state, count) in await connection.QueryAsync<(string, long)>("SELECT state, count(*) FROM runs GROUP BY state"))
        {
            states[state] = count;
        }

        var membersOpen = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM run_members m JOIN runs r ON r.id = m.run_id WHERE r.state IN (@open, @cutoff)",
            new { open = nameof(RunState.Open), cutoff = nameof(RunState.Cutoff) });
        var agents = await connection.QuerySingleAsync<(long Online, long Offline)>(
            """
            SELECT COALESCE(SUM(CASE WHEN last_seen_at >= @since THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN last_seen_at IS NULL OR last_seen_at < @since THEN 1 ELSE 0 END), 0)
            FROM agents WHERE revoked_at IS NULL
            """,
            new { since = UnixMs.From(now - agentOfflineAfter) });
        return new FleetGauges(states, membersOpen, agents.Online, agents.Offline);
    }
}
