using Dapper;
using Orchestrator.Data.Sqlite;

namespace Orchestrator.Data.Traffic;

internal sealed class SqliteTrafficStore(Database database) : ITrafficStore
{
    // The run an endpoint's report belongs to: open when the report arrived, or ended within the grace period
    // (the last counters of a run arrive after its end). For traffic, the peer must also be on the run's allow-list.
    private const string RunOfTraffic =
        """
        (SELECT r.id FROM runs r JOIN run_members m ON m.run_id = r.id
         WHERE m.endpoint_id = @EndpointId AND r.opened_at IS NOT NULL AND r.opened_at <= @at AND r.planned_end + @grace >= @at
           AND EXISTS (SELECT 1 FROM json_each(m.allowed_peers) p WHERE p.value = @Peer)
         ORDER BY r.opened_at DESC LIMIT 1)
        """;

    // Blocked counts carry no time of their own. After the end they count for the run only until the member's agent
    // has acknowledged the close: the report that carries that acknowledgement holds the run's last counters, and
    // anything later was blocked after the run (regression: attempts after the end were listed as during the run).
    private const string RunOfBlocked =
        """
        (SELECT r.id FROM runs r JOIN run_members m ON m.run_id = r.id
         WHERE m.endpoint_id = @EndpointId AND r.opened_at IS NOT NULL AND r.opened_at <= @at AND r.planned_end + @grace >= @at
           AND (@at <= r.planned_end OR m.close_acked_at IS NULL)
         ORDER BY r.opened_at DESC LIMIT 1)
        """;

    private const string EndpointOfPeer = "(SELECT endpoint_id FROM endpoint_addresses WHERE address = @Peer ORDER BY endpoint_id LIMIT 1)";
    private const string EndpointOfSource = "(SELECT endpoint_id FROM endpoint_addresses WHERE address = @Source ORDER BY endpoint_id LIMIT 1)";

    public async Task<bool> StoreAsync(AgentReport report, DateTimeOffset now, TimeSpan lateReportGrace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var at = UnixMs.From(now);
        var grace = (long)lateReportGrace.TotalMilliseconds;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var fresh = await connection.ExecuteAsync(
            "INSERT INTO agent_reports (report_id, agent_id, received_at) VALUES (@ReportId, @AgentId, @at) ON CONFLICT DO NOTHING",
            new { report.ReportId, report.AgentId, at }, transaction);
        if (fresh == 0)
        {
            return false;
        }

        if (report.Traffic.Count > 0)
        {
            await connection.ExecuteAsync(
                $"""
                INSERT INTO peer_traffic (run_id, endpoint_id, peer_address, peer_endpoint_id, bytes_served, bytes_received, reported_at)
                VALUES ({RunOfTraffic}, @EndpointId, @Peer, {EndpointOfPeer}, @Served, @Received, @at)
                """,
                report.Traffic.Select(t => new { report.EndpointId, t.Peer, t.Served, t.Received, at, grace }), transaction);
        }

        if (report.Blocked.Count > 0)
        {
            await connection.ExecuteAsync(
                $"""
                INSERT INTO blocked_attempts (run_id, endpoint_id, source_address, source_endpoint_id, port, count, reported_at)
                VALUES ({RunOfBlocked}, @EndpointId, @Source, {EndpointOfSource}, @Port, @Count, @at)
                """,
                report.Blocked.Select(b => new { report.EndpointId, b.Source, b.Port, b.Count, at, grace }), transaction);
        }

        foreach (var scan in report.Scans)
        {
            await connection.ExecuteAsync(
                """
                UPDATE scans SET outcome = @Outcome, exit_code = @ExitCode, duration_ms = @DurationMs, reported_at = @at
                WHERE id = @ScanId AND endpoint_id = @EndpointId AND outcome IS NULL
                """,
                new { scan.ScanId, scan.Outcome, scan.ExitCode, scan.DurationMs, report.EndpointId, at }, transaction);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<RunTraffic> GetRunTrafficAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Rows with settable properties, not constructor mapping: on an empty result SQLite reports computed columns as
        // BLOB, and Dapper then finds no constructor (regression: a run without traffic answered 500).
        var transfers = await connection.QueryAsync<TransferRow>(
            """
            SELECT t.endpoint_id AS ServingEndpointId, se.hostname AS ServingHostname,
                   COALESCE((SELECT value FROM json_each(m.addresses) LIMIT 1), '') AS ServingAddress,
                   t.peer_endpoint_id AS ReceivingEndpointId, re.hostname AS ReceivingHostname, t.peer_address AS ReceivingAddress,
                   sum(t.bytes_served) AS Bytes
            FROM peer_traffic t
            JOIN endpoints se ON se.id = t.endpoint_id
            JOIN run_members m ON m.run_id = t.run_id AND m.endpoint_id = t.endpoint_id
            LEFT JOIN endpoints re ON re.id = t.peer_endpoint_id
            WHERE t.run_id = @runId
            GROUP BY t.endpoint_id, t.peer_address
            HAVING sum(t.bytes_served) > 0
            ORDER BY Bytes DESC
            """,
            new { runId });
        var blocked = await connection.QueryAsync<BlockedRow>(
            """
            SELECT b.source_address AS SourceAddress, b.source_endpoint_id AS SourceEndpointId, se.hostname AS SourceHostname,
                   b.endpoint_id AS TargetEndpointId, te.hostname AS TargetHostname, b.port AS Port, sum(b.count) AS Count
            FROM blocked_attempts b
            JOIN endpoints te ON te.id = b.endpoint_id
            LEFT JOIN endpoints se ON se.id = b.source_endpoint_id
            WHERE b.run_id = @runId
            GROUP BY b.source_address, b.endpoint_id, b.port
            ORDER BY Count DESC
            """,
            new { runId });
        return new RunTraffic(
            transfers.Select(t => new Transfer(t.ServingEndpointId, t.ServingHostname, t.ServingAddress, t.ReceivingEndpointId, t.ReceivingHostname, t.ReceivingAddress, t.Bytes)).ToList(),
            blocked.Select(b => new Blocked(b.SourceAddress, b.SourceEndpointId, b.SourceHostname, b.TargetEndpointId, b.TargetHostname, b.Port, b.Count)).ToList());
    }

    private sealed class TransferRow
    {
        public long ServingEndpointId { get; set; }

        public string ServingHostname { get; set; } = "";

        public string ServingAddress { get; set; } = "";

        public long? ReceivingEndpointId { get; set; }

        public string? ReceivingHostname { get; set; }

        public string ReceivingAddress { get; set; } = "";

        public long Bytes { get; set; }
    }

    private sealed class BlockedRow
    {
        public string SourceAddress { get; set; } = "";

        public long? SourceEndpointId { get; set; }

        public string? SourceHostname { get; set; }

        public long TargetEndpointId { get; set; }

        public string TargetHostname { get; set; } = "";

        public long Port { get; set; }

        public long Count { get; set; }
    }
}
