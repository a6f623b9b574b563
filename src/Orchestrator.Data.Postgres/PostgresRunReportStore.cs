using System.Globalization;
using System.Runtime.CompilerServices;
using Dapper;
using Orchestrator.Core.Reports;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresRunReportStore(PostgresDatabase database) : IRunReportStore
{
    private static readonly string PairsOfRun =
        $"""
        SELECT endpoint_id, peer_address, max(peer_endpoint_id) AS peer_endpoint_id, {Sql.SaturatingSum("bytes_served")} AS bytes
        FROM peer_traffic WHERE run_id = @runId
        GROUP BY endpoint_id, peer_address HAVING sum(bytes_served) > 0
        ORDER BY bytes DESC, endpoint_id, peer_address
        """;

    private const string NamedPairs =
        """
        SELECT p.endpoint_id AS ServingEndpointId, coalesce(se.hostname, '#' || p.endpoint_id) AS ServingHostname, p.peer_address AS PeerAddress,
               p.peer_endpoint_id AS ReceivingEndpointId, re.hostname AS ReceivingHostname, p.bytes AS Bytes
        FROM p
        LEFT JOIN endpoints se ON se.id = p.endpoint_id
        LEFT JOIN endpoints re ON re.id = p.peer_endpoint_id
        ORDER BY p.bytes DESC, p.endpoint_id, p.peer_address
        """;

    private const string SnapshotColumns =
        """
        run_id AS RunId, taken_at AS TakenAt, members AS Members, anomalies AS Anomalies, critical AS Critical,
        bytes_from_peers AS BytesFromPeers, bytes_from_http AS BytesFromHttp
        """;

    public async Task<RunReportFacts> GetFactsAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);

        // Traffic is summed per endpoint from the (run, endpoint, peer) index alone. An endpoint has one agent that is not
        // revoked (enrolling again revokes the earlier one); the latest is taken should there ever be two.
        var members = (await connection.QueryAsync<MemberRow>(
            $"""
            WITH t AS (
                SELECT endpoint_id, {Sql.SaturatingSum("bytes_served")} AS served, {Sql.SaturatingSum("bytes_received")} AS received,
                       count(DISTINCT CASE WHEN bytes_served > 0 THEN peer_address END) AS pairs
                FROM peer_traffic WHERE run_id = @runId GROUP BY endpoint_id)
            SELECT m.endpoint_id AS EndpointId, m.hostname AS Hostname, m.addresses AS Addresses,
                   m.open_acked_at AS OpenAckedAt, m.close_acked_at AS CloseAckedAt, m.close_state AS CloseState,
                   a.id AS AgentId, a.last_seen_at AS LastSeenAt, a.apply_error AS ApplyError,
                   s.dispatched_at AS DispatchedAt, s.timeout_seconds AS TimeoutSeconds, s.outcome AS Outcome,
                   s.exit_code AS ExitCode, s.duration_ms AS DurationMs,
                   coalesce(t.served, 0) AS Served, coalesce(t.received, 0) AS Received, coalesce(t.pairs, 0) AS Pairs
            FROM run_members m
            LEFT JOIN agents a ON a.id = (SELECT id FROM agents WHERE endpoint_id = m.endpoint_id AND revoked_at IS NULL ORDER BY enrolled_at DESC LIMIT 1)
            LEFT JOIN scans s ON s.run_id = m.run_id AND s.endpoint_id = m.endpoint_id
            LEFT JOIN t ON t.endpoint_id = m.endpoint_id
            WHERE m.run_id = @runId
            """,
            new { runId })).ToList();
        var blocked = await BlockedAttemptRows.OfRunAsync(connection, runId);
        var audit = await connection.QueryAsync<AuditRow>(
            "SELECT at AS At, actor AS Actor, action AS Action, detail AS Detail FROM audit_log WHERE entity = 'run' AND entity_id = @id ORDER BY at, id",
            new { id = runId.ToString(CultureInfo.InvariantCulture) });

        return new RunReportFacts(
            members.Select(m => m.ToFacts()).ToList(),
            blocked.Select(b => new BlockedFacts(b.SourceAddress, b.SourceEndpointId, b.SourceHostname, b.TargetEndpointId, b.TargetHostname, b.Port, b.Count)).ToList(),
            audit.Select(a => new AuditFact(UnixMs.To(a.At), a.Actor, a.Action, a.Detail)).ToList(),
            members.Sum(m => m.Pairs));
    }

    public async Task<IReadOnlyList<PeerTransfer>> GetTransfersAsync(long runId, int offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await database.OpenAsync(cancellationToken);

        // The LIMIT inside lets PostgreSQL keep only offset+limit groups (a top-N sort) instead of sorting every pair.
        var page = await connection.QueryAsync<TransferRow>(
            $"WITH p AS ({PairsOfRun} LIMIT @limit OFFSET @offset) {NamedPairs}", new { runId, offset, limit });
        return page.Select(r => r.ToTransfer()).ToList();
    }

    public async IAsyncEnumerable<PeerTransfer> StreamTransfersAsync(long runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = connection.QueryUnbufferedAsync<TransferRow>($"WITH p AS ({PairsOfRun}) {NamedPairs}", new { runId });
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row.ToTransfer();
        }
    }

    public async Task SaveSnapshotAsync(RunReportSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO run_report_snapshots (run_id, taken_at, members, anomalies, critical, bytes_from_peers, bytes_from_http, report)
            VALUES (@RunId, @takenAt, @members, @anomalies, @critical, @BytesFromPeers, @BytesFromHttp, @Report)
            ON CONFLICT (run_id) DO UPDATE SET taken_at = excluded.taken_at, members = excluded.members, anomalies = excluded.anomalies,
                critical = excluded.critical, bytes_from_peers = excluded.bytes_from_peers, bytes_from_http = excluded.bytes_from_http,
                report = excluded.report
            """,
            new
            {
                snapshot.RunId,
                takenAt = UnixMs.From(snapshot.TakenAt),
                members = (long)snapshot.Members,
                anomalies = (long)snapshot.Anomalies,
                critical = (long)snapshot.Critical,
                snapshot.BytesFromPeers,
                snapshot.BytesFromHttp,
                snapshot.Report,
            });
    }

    public async Task<RunReportSnapshot?> GetSnapshotAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SnapshotRow>(
            $"SELECT {SnapshotColumns}, report AS Report FROM run_report_snapshots WHERE run_id = @runId", new { runId });
        return row?.ToSnapshot();
    }

    public async Task<IReadOnlyList<RunReportSnapshot>> ListSnapshotFiguresAsync(long windowId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SnapshotRow>(
            $"SELECT {SnapshotColumns}, '' AS Report FROM run_report_snapshots WHERE run_id IN (SELECT id FROM runs WHERE window_id = @windowId)",
            new { windowId });
        return rows.Select(r => r.ToSnapshot()).ToList();
    }

    private sealed class SnapshotRow
    {
        public long RunId { get; init; }
        public long TakenAt { get; init; }
        public long Members { get; init; }
        public long Anomalies { get; init; }
        public long Critical { get; init; }
        public long BytesFromPeers { get; init; }
        public long? BytesFromHttp { get; init; }
        public string? Report { get; init; }

        public RunReportSnapshot ToSnapshot() =>
            new(RunId, UnixMs.To(TakenAt), (int)Members, (int)Anomalies, (int)Critical, BytesFromPeers, BytesFromHttp, Report ?? "");
    }

    private sealed class MemberRow
    {
        public long EndpointId { get; init; }
        public string Hostname { get; init; } = "";
        public string Addresses { get; init; } = "[]";
        public long? OpenAckedAt { get; init; }
        public long? CloseAckedAt { get; init; }
        public string? CloseState { get; init; }
        public string? AgentId { get; init; }
        public long? LastSeenAt { get; init; }
        public string? ApplyError { get; init; }
        public long? DispatchedAt { get; init; }
        public long? TimeoutSeconds { get; init; }
        public string? Outcome { get; init; }
        public long? ExitCode { get; init; }
        public long? DurationMs { get; init; }
        public long Served { get; init; }
        public long Received { get; init; }
        public long Pairs { get; init; }

        // Firewall counters only: Delivery Optimization's figures (HTTP bytes included) are read through
        // IDeliveryOptimizationStore and replace these for the members that reported them (RunReportBuilder).
        public MemberFacts ToFacts() => new(
            EndpointId,
            Hostname,
            Json.Read<string[]>(Addresses),
            UnixMs.To(OpenAckedAt),
            UnixMs.To(CloseAckedAt),
            CloseState is null ? null : Enum.Parse<MemberClose>(CloseState),
            AgentId is null ? null : new AgentFacts(UnixMs.To(LastSeenAt), ApplyError),
            DispatchedAt is { } dispatched ? new ScanFacts(UnixMs.To(dispatched), (int)(TimeoutSeconds ?? 0), Outcome, (int?)ExitCode, DurationMs) : null,
            Served,
            Received,
            BytesFromHttp: null);
    }

    private sealed class TransferRow
    {
        public long ServingEndpointId { get; init; }
        public string ServingHostname { get; init; } = "";
        public string PeerAddress { get; init; } = "";
        public long? ReceivingEndpointId { get; init; }
        public string? ReceivingHostname { get; init; }
        public long Bytes { get; init; }

        public PeerTransfer ToTransfer() => new(ServingEndpointId, ServingHostname, PeerAddress, ReceivingEndpointId, ReceivingHostname, Bytes);
    }

    private sealed class AuditRow
    {
        public long At { get; init; }
        public string Actor { get; init; } = "";
        public string Action { get; init; } = "";
        public string? Detail { get; init; }
    }
}
