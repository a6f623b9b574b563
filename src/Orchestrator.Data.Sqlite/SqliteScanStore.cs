using Dapper;
using Orchestrator.Data.Scans;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteScanStore(SqliteDatabase database) : IScanStore
{
    public async Task<IReadOnlyList<PendingScan>> ListPendingAsync(long endpointId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            """
            SELECT s.id AS ScanId, s.run_id AS RunId, s.endpoint_id AS EndpointId, s.timeout_seconds AS TimeoutSeconds, s.dispatched_at AS DispatchedAt
            FROM scans s JOIN runs r ON r.id = s.run_id
            WHERE s.endpoint_id = @endpointId AND s.outcome IS NULL AND r.state IN ('Open', 'Cutoff')
            ORDER BY s.dispatched_at
            """,
            new { endpointId });
        return rows.Select(r => new PendingScan(r.ScanId, r.RunId, r.EndpointId, (int)r.TimeoutSeconds, UnixMs.To(r.DispatchedAt))).ToList();
    }

    public async Task<IReadOnlyDictionary<long, IReadOnlyList<PendingScan>>> ListPendingForEndpointsAsync(
        IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            """
            SELECT s.id AS ScanId, s.run_id AS RunId, s.endpoint_id AS EndpointId, s.timeout_seconds AS TimeoutSeconds, s.dispatched_at AS DispatchedAt
            FROM scans s JOIN runs r ON r.id = s.run_id
            WHERE s.outcome IS NULL AND r.state IN ('Open', 'Cutoff') AND s.endpoint_id IN (SELECT value FROM json_each(@endpointIds))
            ORDER BY s.dispatched_at
            """,
            new { endpointIds = Json.Write(endpointIds) });
        return rows.GroupBy(r => r.EndpointId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<PendingScan>)g.Select(r => new PendingScan(r.ScanId, r.RunId, r.EndpointId, (int)r.TimeoutSeconds, UnixMs.To(r.DispatchedAt))).ToList());
    }

    public async Task<IReadOnlyList<long>> DispatchAsync(long runId, IReadOnlyList<long> endpointIds, int timeoutSeconds, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var dispatched = new List<long>();
        foreach (var endpointId in endpointIds)
        {
            var inserted = await connection.ExecuteAsync(
                """
                INSERT INTO scans (id, run_id, endpoint_id, dispatched_at, timeout_seconds)
                VALUES (@id, @runId, @endpointId, @at, @timeoutSeconds) ON CONFLICT DO NOTHING
                """,
                new { id = $"run{runId}-ep{endpointId}", runId, endpointId, at = UnixMs.From(now), timeoutSeconds },
                transaction);
            if (inserted > 0)
            {
                dispatched.Add(endpointId);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return dispatched;
    }

    public async Task<IReadOnlyList<long>> ListUndispatchedAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(
            """
            SELECT m.endpoint_id FROM run_members m
            WHERE m.run_id = @runId AND NOT EXISTS (SELECT 1 FROM scans s WHERE s.run_id = m.run_id AND s.endpoint_id = m.endpoint_id)
              AND EXISTS (SELECT 1 FROM agents a WHERE a.endpoint_id = m.endpoint_id AND a.revoked_at IS NULL)
            ORDER BY lower(m.hostname)
            """,
            new { runId })).ToList();
    }

    public async Task<ScanTally> TallyAsync(long runId, DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var tally = await connection.QuerySingleAsync<TallyRow>(
            """
            SELECT count(*) AS Dispatched,
                   coalesce(sum(CASE WHEN outcome IS NULL AND dispatched_at + timeout_seconds * 1000 + @grace > @now THEN 1 ELSE 0 END), 0) AS InFlight,
                   coalesce(sum(CASE WHEN outcome = 'Succeeded' THEN 1 ELSE 0 END), 0) AS Succeeded,
                   coalesce(sum(CASE WHEN (outcome IS NOT NULL AND outcome <> 'Succeeded')
                                      OR (outcome IS NULL AND dispatched_at + timeout_seconds * 1000 + @grace <= @now) THEN 1 ELSE 0 END), 0) AS Failed
            FROM scans WHERE run_id = @runId
            """,
            new { runId, now = UnixMs.From(now), grace = (long)grace.TotalMilliseconds });
        return new ScanTally((int)tally.Dispatched, (int)tally.InFlight, (int)tally.Succeeded, (int)tally.Failed);
    }

    private sealed record Row(string ScanId, long RunId, long EndpointId, long TimeoutSeconds, long DispatchedAt);

    private sealed record TallyRow(long Dispatched, long InFlight, long Succeeded, long Failed);
}
