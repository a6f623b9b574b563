using Dapper;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Metrics;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresFleetGauges(PostgresDatabase database) : IFleetGauges
{
    public async Task<FleetGauges> ReadAsync(DateTimeOffset now, TimeSpan agentOfflineAfter, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
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
            SELECT count(*) FILTER (WHERE last_seen_at >= @since), count(*) FILTER (WHERE last_seen_at IS NULL OR last_seen_at < @since)
            FROM agents WHERE revoked_at IS NULL
            """,
            new { since = UnixMs.From(now - agentOfflineAfter) });
        return new FleetGauges(states, membersOpen, agents.Online, agents.Offline);
    }
}
