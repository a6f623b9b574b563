using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Sqlite;

namespace Orchestrator.Data.Traffic;

/// <remarks>
/// Reports are written by one writer, in batches: every report that arrives while a batch is being written goes into
/// the next one, in one transaction with prepared commands reused for every row. SQLite has one write lock; thousands
/// of agents each opening their own write transaction spend their time waiting for it (and Microsoft.Data.Sqlite waits
/// by sleeping a thread), while one batch of a few hundred reports commits in milliseconds. Each caller still gets its
/// own answer (stored, or a duplicate) once the batch holding its report is committed.
/// </remarks>
internal sealed class SqliteTrafficStore(Database database) : ITrafficStore
{
    /// <summary>Rows (traffic + blocked) after which a batch is committed and the next one started.</summary>
    private const int BatchRows = 20_000;

    // The runs a report can belong to: open when the report arrived, or ended within the grace period (the last
    // counters of a run arrive after its end), latest first. For traffic the peer must also be on the run's
    // allow-list; blocked counts after the end count only until the member's agent acknowledged the close (the report
    // that carries that acknowledgement holds the run's last counters; regression: attempts after the end were listed
    // as during the run).
    private const string CandidateRuns =
        """
        SELECT r.id, r.planned_end, m.allowed_peers, m.close_acked_at IS NULL
        FROM runs r JOIN run_members m ON m.run_id = r.id
        WHERE m.endpoint_id = $endpoint AND r.opened_at IS NOT NULL AND r.opened_at <= $at AND r.planned_end + $grace >= $at
        ORDER BY r.opened_at DESC
        """;

    private readonly Channel<PendingReport> _queue = Channel.CreateUnbounded<PendingReport>(new UnboundedChannelOptions { SingleReader = true });
    private int _writing;

    public Task<bool> StoreAsync(AgentReport report, DateTimeOffset now, TimeSpan lateReportGrace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var pending = new PendingReport(report, UnixMs.From(now), (long)lateReportGrace.TotalMilliseconds);
        _queue.Writer.TryWrite(pending);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = Task.Run(WriteAllAsync, CancellationToken.None);
        }

        // The report is written whether or not the caller still waits: it is idempotent by id, and a retry is a duplicate.
        return pending.Stored.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes batches until the queue is empty, then stops; the next report starts a writer again.</summary>
    private async Task WriteAllAsync()
    {
        var batch = new List<PendingReport>();
        while (true)
        {
            var rows = 0;
            while (rows < BatchRows && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                rows += next.Report.Traffic.Count + next.Report.Blocked.Count + 1;
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _writing, 0);
                // A report queued after the last read but before the flag was cleared would otherwise wait for the next one.
                if (!_queue.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            await WriteBatchAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<PendingReport> batch)
    {
        try
        {
            var stored = await WriteAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Stored.TrySetResult(stored[i]);
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad report must not fail the others: write each on its own, and let each fail alone.
            foreach (var single in batch)
            {
                await WriteBatchAsync([single]);
            }
        }
        catch (Exception error)
        {
            batch[0].Stored.TrySetException(error);
        }
    }

    private async Task<bool[]> WriteAsync(List<PendingReport> batch)
    {
        var stored = new bool[batch.Count];
        await using var connection = await database.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        using var commands = new Commands(connection, transaction);
        for (var i = 0; i < batch.Count; i++)
        {
            var (report, at, grace) = batch[i];
            commands.ReportId.Value = report.ReportId;
            commands.ReportAgent.Value = report.AgentId;
            commands.ReportAt.Value = at;
            stored[i] = commands.InsertReport.ExecuteNonQuery() > 0;
            if (!stored[i])
            {
                await RecordAgentAsync(connection, transaction, report, at);
                continue;
            }

            var candidates = report.Traffic.Count + report.Blocked.Count > 0 ? commands.CandidatesOf(report.EndpointId, at, grace) : [];
            foreach (var row in report.Traffic)
            {
                commands.InsertTraffic(candidates.FirstOrDefault(c => c.Allows(row.Peer))?.RunId, report.EndpointId, row, at);
            }

            foreach (var row in report.Blocked)
            {
                commands.InsertBlocked(candidates.FirstOrDefault(c => at <= c.PlannedEnd || !c.CloseAcknowledged)?.RunId, report.EndpointId, row, at);
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

            await RecordAgentAsync(connection, transaction, report, at);
        }

        await transaction.CommitAsync();
        return stored;
    }

    /// <summary>After the report's rows (blocked counts before a close acknowledgement still count for the run).</summary>
    private static async Task RecordAgentAsync(SqliteConnection connection, SqliteTransaction transaction, AgentReport report, long at)
    {
        if (report.Applied is { } applied)
        {
            // The agent's applied version and error are written with its report, in the same transaction.
            await connection.ExecuteAsync(
                "UPDATE agents SET applied_version = COALESCE(@Version, applied_version), apply_error = @Error, last_seen_at = @at WHERE id = @AgentId",
                new { applied.Version, applied.Error, at, report.AgentId }, transaction);
        }

        if (report.Acknowledge is { } held)
        {
            await SqliteRunStore.AcknowledgeAsync(connection, transaction, report.EndpointId, held, at);
        }
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

    private sealed record PendingReport(AgentReport Report, long At, long Grace)
    {
        public TaskCompletionSource<bool> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A run a report may belong to, latest first.</summary>
    private sealed record CandidateRun(long RunId, long PlannedEnd, HashSet<string> AllowedPeers, bool CloseAcknowledged)
    {
        public bool Allows(string peer) => AllowedPeers.Contains(peer);
    }

    /// <summary>The batch's prepared commands: each is compiled once and run for every row.</summary>
    private sealed class Commands : IDisposable
    {
        private readonly SqliteCommand _candidates;
        private readonly SqliteParameter _candidateEndpoint;
        private readonly SqliteParameter _candidateAt;
        private readonly SqliteParameter _candidateGrace;
        private readonly SqliteCommand _traffic;
        private readonly SqliteCommand _blocked;

        public Commands(SqliteConnection connection, SqliteTransaction transaction)
        {
            InsertReport = Prepare(
                connection, transaction,
                "INSERT INTO agent_reports (report_id, agent_id, received_at) VALUES ($report, $agent, $at) ON CONFLICT DO NOTHING");
            ReportId = InsertReport.Parameters.Add("$report", SqliteType.Text);
            ReportAgent = InsertReport.Parameters.Add("$agent", SqliteType.Text);
            ReportAt = InsertReport.Parameters.Add("$at", SqliteType.Integer);

            _candidates = Prepare(connection, transaction, CandidateRuns);
            _candidateEndpoint = _candidates.Parameters.Add("$endpoint", SqliteType.Integer);
            _candidateAt = _candidates.Parameters.Add("$at", SqliteType.Integer);
            _candidateGrace = _candidates.Parameters.Add("$grace", SqliteType.Integer);

            _traffic = Prepare(
                connection, transaction,
                """
                INSERT INTO peer_traffic (run_id, endpoint_id, peer_address, peer_endpoint_id, bytes_served, bytes_received, reported_at)
                VALUES ($run, $endpoint, $peer, (SELECT endpoint_id FROM endpoint_addresses WHERE address = $peer ORDER BY endpoint_id LIMIT 1), $served, $received, $at)
                """,
                ("$run", SqliteType.Integer), ("$endpoint", SqliteType.Integer), ("$peer", SqliteType.Text), ("$served", SqliteType.Integer),
                ("$received", SqliteType.Integer), ("$at", SqliteType.Integer));
            _blocked = Prepare(
                connection, transaction,
                """
                INSERT INTO blocked_attempts (run_id, endpoint_id, source_address, source_endpoint_id, port, count, reported_at)
                VALUES ($run, $endpoint, $source, (SELECT endpoint_id FROM endpoint_addresses WHERE address = $source ORDER BY endpoint_id LIMIT 1), $port, $count, $at)
                """,
                ("$run", SqliteType.Integer), ("$endpoint", SqliteType.Integer), ("$source", SqliteType.Text), ("$port", SqliteType.Integer),
                ("$count", SqliteType.Integer), ("$at", SqliteType.Integer));
        }

        public SqliteCommand InsertReport { get; }

        public SqliteParameter ReportId { get; }

        public SqliteParameter ReportAgent { get; }

        public SqliteParameter ReportAt { get; }

        public List<CandidateRun> CandidatesOf(long endpointId, long at, long grace)
        {
            _candidateEndpoint.Value = endpointId;
            _candidateAt.Value = at;
            _candidateGrace.Value = grace;
            var candidates = new List<CandidateRun>();
            using var reader = _candidates.ExecuteReader();
            while (reader.Read())
            {
                candidates.Add(new CandidateRun(
                    reader.GetInt64(0), reader.GetInt64(1), new HashSet<string>(Json.Read<string[]>(reader.GetString(2)), StringComparer.Ordinal), reader.GetInt64(3) == 0));
            }

            return candidates;
        }

        public void InsertTraffic(long? runId, long endpointId, PeerBytes row, long at) =>
            Run(_traffic, runId, endpointId, row.Peer, row.Served, row.Received, at);

        public void InsertBlocked(long? runId, long endpointId, BlockedCount row, long at) =>
            Run(_blocked, runId, endpointId, row.Source, row.Port, row.Count, at);

        public void Dispose()
        {
            InsertReport.Dispose();
            _candidates.Dispose();
            _traffic.Dispose();
            _blocked.Dispose();
        }

        private static void Run(SqliteCommand command, long? runId, long endpointId, string address, long a, long b, long at)
        {
            var p = command.Parameters;
            p[0].Value = (object?)runId ?? DBNull.Value;
            p[1].Value = endpointId;
            p[2].Value = address;
            p[3].Value = a;
            p[4].Value = b;
            p[5].Value = at;
            command.ExecuteNonQuery();
        }

        private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, SqliteType Type)[] parameters)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var (name, type) in parameters)
            {
                command.Parameters.Add(name, type);
            }

            return command;
        }
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
