using Dapper;
using Orchestrator.Data.Scans;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresScanStore(PostgresDatabase database) : IScanStore
{
    private const string PendingColumns =
        "s.id AS ScanId, s.run_id AS RunId, s.endpoint_id AS EndpointId, s.timeout_seconds AS TimeoutSeconds, s.dispatched_at AS DispatchedAt";

    public async Task<IReadOnlyList<PendingScan>> ListPendingAsync(long endpointId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"""
            SELECT {PendingColumns}
            FROM scans s JOIN runs r ON r.id = s.run_id
            WHERE s.endpoint_id = @endpointId AND s.outcome IS NULL AND r.state IN ('Open', 'Cutoff')
            ORDER BY s.dispatched_at
            """,
            new { endpointId });
        return rows.Select(r => r.ToPending()).ToList();
    }

    public async Task<IReadOnlyDictionary<long, IReadOnlyList<PendingScan>>> ListPendingForEndpointsAsync(
        IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"""
            SELECT {PendingColumns}
            FROM scans s JOIN runs r ON r.id = s.run_id
            WHERE s.outcome IS NULL AND r.state IN ('Open', 'Cutoff') AND s.endpoint_id = ANY(@endpointIds)
            ORDER BY s.dispatched_at
            """,
            new { endpointIds = endpointIds.ToArray() });
        return rows.GroupBy(r => r.EndpointId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<PendingScan>)g.Select(r => r.ToPending()).ToList());
    }

    public async Task<IReadOnlyList<long>> DispatchAsync(long runId, IReadOnlyList<long> endpointIds, int timeoutSeconds, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        // One statement for every endpoint; a scan another node dispatched first (same id) is skipped, after its insert
        // commits, so each endpoint gets one scan per run whatever the number of dispatchers.
        var inserted = (await connection.QueryAsync<long>(
            """
            INSERT INTO scans (id, run_id, endpoint_id, dispatched_at, timeout_seconds)
            SELECT 'run' || @runId || '-ep' || e, @runId, e, @at, @timeoutSeconds FROM unnest(@endpointIds) AS e
            ON CONFLICT DO NOTHING
            RETURNING endpoint_id
            """,
            new { runId, endpointIds = endpointIds.ToArray(), at = UnixMs.From(now), timeoutSeconds = (long)timeoutSeconds })).ToHashSet();
        // In the order asked for, each once, as dispatching them one by one gives.
        return endpointIds.Distinct().Where(inserted.Contains).ToList();
    }

    public async Task<IReadOnlyList<long>> ListUndispatchedAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(
            """
            SELECT m.endpoint_id FROM run_members m
            WHERE m.run_id = @runId AND NOT EXISTS (SELECT 1 FROM scans s WHERE s.run_id = m.run_id AND s.endpoint_id = m.endpoint_id)
              AND EXISTS (SELECT 1 FROM agents a WHERE a.endpoint_id = m.endpoint_id AND a.revoked_at IS NULL)
            ORDER BY lower(m.hostname) COLLATE "C"
            """,
            new { runId })).ToList();
    }

    public async Task<ScanTally> TallyAsync(long runId, DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var tally = await connection.QuerySingleAsync<TallyRow>(
            """
            SELECT count(*) AS Dispatched,
                   count(*) FILTER (WHERE outcome IS NULL AND dispatched_at + timeout_seconds * 1000 + @grace > @now) AS InFlight,
                   count(*) FILTER (WHERE outcome = 'Succeeded') AS Succeeded,
                   count(*) FILTER (WHERE (outcome IS NOT NULL AND outcome <> 'Succeeded')
                                       OR (outcome IS NULL AND dispatched_at + timeout_seconds * 1000 + @grace <= @now)) AS Failed
            FROM scans WHERE run_id = @runId
            """,
            new { runId, now = UnixMs.From(now), grace = (long)grace.TotalMilliseconds });
        return new ScanTally((int)tally.Dispatched, (int)tally.InFlight, (int)tally.Succeeded, (int)tally.Failed);
    }

    private sealed record Row(string ScanId, long RunId, long EndpointId, long TimeoutSeconds, long DispatchedAt)
    {
        public PendingScan ToPending() => new(ScanId, RunId, EndpointId, (int)TimeoutSeconds, UnixMs.To(DispatchedAt));
    }

    private sealed record TallyRow(long Dispatched, long InFlight, long Succeeded, long Failed);
}
