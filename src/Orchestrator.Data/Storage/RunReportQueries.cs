using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Dapper;
using Orchestrator.Core.Reports;
using Orchestrator.Data.Reports;

namespace Orchestrator.Data.Storage;

/// <summary>The run report statements whose SQL is the same in both dialects but for <see cref="ISqlDialect"/>
/// (docs/decisions.md, "Shared Dapper statements"); each backend keeps how it groups a run's pairs and its blocked attempts.</summary>
internal static class RunReportQueries
{
    private const string SnapshotColumns =
        """
        run_id AS RunId, taken_at AS TakenAt, members AS Members, anomalies AS Anomalies, critical AS Critical,
        bytes_from_peers AS BytesFromPeers, bytes_from_http AS BytesFromHttp
        """;

    /// <summary>The run's members with their agent, scan and firewall-counted traffic. Traffic is summed per endpoint
    /// from the (run, endpoint, peer) index alone. An endpoint has one agent that is not revoked (enrolling again revokes
    /// the earlier one); the latest is taken should there ever be two.</summary>
    public static async Task<IReadOnlyList<MemberRow>> MembersAsync(IDbConnection connection, long runId, ISqlDialect dialect) =>
        (await connection.QueryAsync<MemberRow>(
            $"""
            WITH t AS (
                SELECT endpoint_id, {dialect.SaturatingSum("bytes_served")} AS served, {dialect.SaturatingSum("bytes_received")} AS received,
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

    /// <summary>The report's facts: the members and blocked attempts given, and the run's audit trail.</summary>
    public static async Task<RunReportFacts> FactsAsync(IDbConnection connection, long runId, IReadOnlyList<MemberRow> members, IReadOnlyList<BlockedAttemptRow> blocked)
    {
        var audit = await connection.QueryAsync<AuditRow>(
            "SELECT at AS At, actor AS Actor, action AS Action, detail AS Detail FROM audit_log WHERE entity = 'run' AND entity_id = @id ORDER BY at, id",
            new { id = runId.ToString(CultureInfo.InvariantCulture) });
        return new RunReportFacts(
            members.Select(m => m.ToFacts()).ToList(),
            blocked.Select(b => new BlockedFacts(b.SourceAddress, b.SourceEndpointId, b.SourceHostname, b.TargetEndpointId, b.TargetHostname, b.Port, b.Count)).ToList(),
            audit.Select(a => new AuditFact(UnixMs.To(a.At), a.Actor, a.Action, a.Detail)).ToList(),
            members.Sum(m => m.Pairs));
    }

    /// <summary>A page of the run's transfers, largest first.</summary>
    /// <param name="pairsOfRun">The run's (serving endpoint, peer address) pairs with their bytes, largest first (each
    /// backend's own: how a positive sum is tested and how addresses collate differ).</param>
    public static async Task<IReadOnlyList<PeerTransfer>> GetTransfersAsync(IDbConnection connection, long runId, int offset, int limit, string pairsOfRun, ISqlDialect dialect)
    {
        // The LIMIT inside lets the database keep only offset+limit groups (a top-N sort) instead of sorting every pair.
        var page = await connection.QueryAsync<TransferRow>(
            $"WITH p AS ({pairsOfRun} LIMIT @limit OFFSET @offset) {NamedPairs(dialect)}", new { runId, offset, limit });
        return page.Select(r => r.ToTransfer()).ToList();
    }

    public static async IAsyncEnumerable<PeerTransfer> StreamTransfersAsync(
        DbConnection connection, long runId, string pairsOfRun, ISqlDialect dialect, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = connection.QueryUnbufferedAsync<TransferRow>($"WITH p AS ({pairsOfRun}) {NamedPairs(dialect)}", new { runId });
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row.ToTransfer();
        }
    }

    public static Task SaveSnapshotAsync(IDbConnection connection, RunReportSnapshot snapshot) =>
        connection.ExecuteAsync(
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

    public static async Task<RunReportSnapshot?> GetSnapshotAsync(IDbConnection connection, long runId) =>
        (await connection.QuerySingleOrDefaultAsync<SnapshotRow>(
            $"SELECT {SnapshotColumns}, report AS Report FROM run_report_snapshots WHERE run_id = @runId", new { runId }))?.ToSnapshot();

    public static async Task<IReadOnlyList<RunReportSnapshot>> ListSnapshotFiguresAsync(IDbConnection connection, long windowId) =>
        (await connection.QueryAsync<SnapshotRow>(
            $"SELECT {SnapshotColumns}, '' AS Report FROM run_report_snapshots WHERE run_id IN (SELECT id FROM runs WHERE window_id = @windowId)",
            new { windowId })).Select(r => r.ToSnapshot()).ToList();

    public static async Task<bool> RecordReportAlertAsync(IDbConnection connection, long runId, DateTimeOffset at) =>
        await connection.ExecuteAsync(
            "INSERT INTO run_report_alerts (run_id, sent_at) VALUES (@runId, @at) ON CONFLICT (run_id) DO NOTHING",
            new { runId, at = UnixMs.From(at) }) == 1;

    /// <param name="runIdIn">The backend's test of <c>r.id</c> against the list parameter <c>@ids</c>.</param>
    /// <param name="parameters">An object whose <c>ids</c> is the list, of the type the backend's test expects.</param>
    public static async Task<IReadOnlyList<long>> ListReportsPendingAsync(IDbConnection connection, string runIdIn, object parameters) =>
        (await connection.QueryAsync<long>(
            $"""
            SELECT r.id FROM runs r
            LEFT JOIN run_report_snapshots s ON s.run_id = r.id
            LEFT JOIN run_report_alerts a ON a.run_id = r.id
            WHERE {runIdIn} AND (s.run_id IS NULL OR (s.critical > 0 AND a.run_id IS NULL))
            ORDER BY r.id
            """,
            parameters)).ToList();

    private static string NamedPairs(ISqlDialect dialect) =>
        $"""
        SELECT p.endpoint_id AS ServingEndpointId, coalesce(se.hostname, '#' || p.endpoint_id) AS ServingHostname, p.peer_address AS PeerAddress,
               p.peer_endpoint_id AS ReceivingEndpointId, re.hostname AS ReceivingHostname, p.bytes AS Bytes
        FROM p
        LEFT JOIN endpoints se ON se.id = p.endpoint_id
        LEFT JOIN endpoints re ON re.id = p.peer_endpoint_id
        ORDER BY p.bytes DESC, p.endpoint_id, p.peer_address{dialect.ByteOrder}
        """;

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

    internal sealed class MemberRow
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
