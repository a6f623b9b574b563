using System.Net;
using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Enforcement;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Storage;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Sqlite;

/// <remarks>
/// Reports are written by one writer, in batches: every report that arrives while a batch is being written goes into
/// the next one, in one transaction with prepared commands reused for every row. SQLite has one write lock; thousands
/// of agents each opening their own write transaction spend their time waiting for it (and Microsoft.Data.Sqlite waits
/// by sleeping a thread), while one batch of a few hundred reports commits in milliseconds. Each caller still gets its
/// own answer (stored, or a duplicate) once the batch holding its report is committed.
/// </remarks>
internal sealed class SqliteTrafficStore(SqliteDatabase database) : ITrafficStore
{
    /// <summary>Rows (traffic + blocked) after which a batch is committed and the next one started.</summary>
    private const int BatchRows = 20_000;

    // The runs a report can belong to: open when the report arrived, or ended within the grace period (the last
    // counters of a run arrive after its end), latest first. For traffic the peer must also be in the run's peer set
    // and not one of the reporter's own addresses (its allow-list, derived); blocked counts after the end count only until the member's agent acknowledged the close (the report
    // that carries that acknowledgement holds the run's last counters; regression: attempts after the end were listed
    // as during the run).
    private const string CandidateRuns =
        """
        SELECT r.id, r.planned_end, m.addresses, m.close_acked_at IS NULL
        FROM runs r JOIN run_members m ON m.run_id = r.id
        WHERE m.endpoint_id = $endpoint AND r.opened_at IS NOT NULL AND r.opened_at <= $at AND r.planned_end + $grace >= $at
        ORDER BY r.opened_at DESC
        """;

    /// <summary>How long the writer keeps its connection and compiled statements once the queue is empty.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    private readonly Channel<PendingReport> _queue = Channel.CreateUnbounded<PendingReport>(new UnboundedChannelOptions { SingleReader = true });

    // Parsed peer sets by run: a run's set is written once, when it opens, and every report of the run would otherwise
    // parse it again (one set per run, not one allow-list per member: memory grows with the members, not their square).
    private readonly PeerSets _peerSets = new();
    private int _writing;

    // When the writer next forgets report ids older than ITrafficStore.ReportIdRetention (once a minute at most).
    private long _nextReportIdPrune;

    // Only the one running writer touches the session (the _writing flag hands it from one writer task to the next).
    private Session? _session;

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

    /// <summary>
    /// Writes batches until the queue stays empty for <see cref="Linger"/>, then stops; the next report starts a writer
    /// again. While it runs, the writer keeps one connection and its compiled statements.
    /// </summary>
    private async Task WriteAllAsync()
    {
        var batch = new List<PendingReport>();
        try
        {
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
                    if (await MoreWithinAsync(Linger))
                    {
                        continue;
                    }

                    CloseSession();
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
        catch (Exception)
        {
            // Only the connection can fail here (each batch answers its own errors): the next report starts afresh.
            CloseSession();
            Volatile.Write(ref _writing, 0);
            throw;
        }
    }

    private async Task<bool> MoreWithinAsync(TimeSpan linger)
    {
        if (_queue.Reader.TryPeek(out _))
        {
            return true;
        }

        using var timeout = new CancellationTokenSource(linger);
        try
        {
            return await _queue.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
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
            CloseSession();
            foreach (var single in batch)
            {
                await WriteBatchAsync([single]);
            }
        }
        catch (Exception error)
        {
            CloseSession();
            batch[0].Stored.TrySetException(error);
        }
    }

    private async Task<bool[]> WriteAsync(List<PendingReport> batch)
    {
        var stored = new bool[batch.Count];
        _session ??= await Session.OpenAsync(database);
        var commands = _session.Commands;
        await using var transaction = (SqliteTransaction)await _session.Connection.BeginTransactionAsync();
        commands.Enlist(transaction);
        var outsideRuns = new HashSet<long>();
        for (var i = 0; i < batch.Count; i++)
        {
            var (report, at, grace) = batch[i];
            commands.ReportId.Value = report.ReportId;
            commands.ReportAgent.Value = report.AgentId;
            commands.ReportAt.Value = at;
            stored[i] = commands.InsertReport.ExecuteNonQuery() > 0;
            if (!stored[i])
            {
                RecordAgent(commands, report, at);
                continue;
            }

            var candidates = report.Traffic.Count + report.Blocked.Count > 0 ? commands.CandidatesOf(report.EndpointId, at, grace, _peerSets) : [];
            foreach (var row in report.Traffic)
            {
                var runId = candidates.FirstOrDefault(c => c.Allows(row.Peer))?.RunId;
                commands.InsertTraffic(runId, report.EndpointId, row, at);
                if (runId is null)
                {
                    outsideRuns.Add(report.EndpointId);
                }
            }

            foreach (var row in report.Blocked)
            {
                var runId = candidates.FirstOrDefault(c => at <= c.PlannedEnd || !c.CloseAcknowledged)?.RunId;
                commands.InsertBlocked(runId, report.EndpointId, row, at);
                if (runId is null)
                {
                    outsideRuns.Add(report.EndpointId);
                }
            }

            foreach (var scan in report.Scans)
            {
                await _session.Connection.ExecuteAsync(
                    """
                    UPDATE scans SET outcome = @Outcome, exit_code = @ExitCode, duration_ms = @DurationMs, reported_at = @at
                    WHERE id = @ScanId AND endpoint_id = @EndpointId AND outcome IS NULL
                    """,
                    new { scan.ScanId, scan.Outcome, scan.ExitCode, scan.DurationMs, report.EndpointId, at }, transaction);
            }

            RecordAgent(commands, report, at);
        }

        foreach (var endpointId in outsideRuns)
        {
            commands.PruneOutsideRuns(endpointId, ITrafficStore.MaxRowsOutsideRunsPerEndpoint);
        }

        var latest = batch[^1].At;
        if (latest >= _nextReportIdPrune)
        {
            commands.ForgetReportIds(latest - (long)ITrafficStore.ReportIdRetention.TotalMilliseconds);
            _nextReportIdPrune = latest + 60_000;
        }

        await transaction.CommitAsync();
        return stored;
    }

    /// <summary>After the report's rows (blocked counts before a close acknowledgement still count for the run).</summary>
    private static void RecordAgent(Commands commands, AgentReport report, long at)
    {
        if (report.Applied is { } applied)
        {
            // The agent's applied version and error are written with its report, in the same transaction.
            commands.RecordApplied(report.AgentId, applied, at);
        }

        if (report.Acknowledge is { } held)
        {
            commands.Acknowledge(report.EndpointId, held, at);
        }
    }

    private void CloseSession()
    {
        _session?.Dispose();
        _session = null;
    }

    public async Task<RunTraffic> GetRunTrafficAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Rows with settable properties, not constructor mapping: on an empty result SQLite reports computed columns as
        // BLOB, and Dapper then finds no constructor (regression: a run without traffic answered 500).
        var transfers = await connection.QueryAsync<TransferRow>(
            $"""
            SELECT t.endpoint_id AS ServingEndpointId, se.hostname AS ServingHostname,
                   COALESCE((SELECT value FROM json_each(m.addresses) LIMIT 1), '') AS ServingAddress,
                   t.peer_endpoint_id AS ReceivingEndpointId, re.hostname AS ReceivingHostname, t.peer_address AS ReceivingAddress,
                   {Sql.SaturatingSum("t.bytes_served")} AS Bytes
            FROM peer_traffic t
            JOIN endpoints se ON se.id = t.endpoint_id
            JOIN run_members m ON m.run_id = t.run_id AND m.endpoint_id = t.endpoint_id
            LEFT JOIN endpoints re ON re.id = t.peer_endpoint_id
            WHERE t.run_id = @runId
            GROUP BY t.endpoint_id, t.peer_address
            HAVING total(t.bytes_served) > 0
            ORDER BY Bytes DESC
            """,
            new { runId });
        var blocked = await BlockedAttemptRows.OfRunAsync(connection, runId);
        return new RunTraffic(
            transfers.Select(t => new Transfer(t.ServingEndpointId, t.ServingHostname, t.ServingAddress, t.ReceivingEndpointId, t.ReceivingHostname, t.ReceivingAddress, t.Bytes)).ToList(),
            blocked.Select(b => new Blocked(b.SourceAddress, b.SourceEndpointId, b.SourceHostname, b.TargetEndpointId, b.TargetHostname, b.Port, b.Count)).ToList());
    }

    private sealed record PendingReport(AgentReport Report, long At, long Grace)
    {
        public TaskCompletionSource<bool> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The writer's connection and its compiled statements, kept from one batch to the next.</summary>
    private sealed class Session(SqliteConnection connection) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public Commands Commands { get; } = new(connection);

        public static async Task<Session> OpenAsync(SqliteDatabase database) => new(await database.OpenAsync());

        public void Dispose()
        {
            Commands.Dispose();
            Connection.Dispose();
        }
    }

    /// <summary>Parsed peer sets by run; bounded.</summary>
    private sealed class PeerSets
    {
        private const int Limit = 1_000;
        private readonly Dictionary<long, RunPeerSet> _parsed = [];

        /// <remarks>Only the writer calls this, one batch at a time; <paramref name="read"/> reads the stored set.</remarks>
        public RunPeerSet Of(long runId, Func<long, string?> read)
        {
            if (_parsed.TryGetValue(runId, out var kept))
            {
                return kept;
            }

            if (_parsed.Count >= Limit)
            {
                _parsed.Clear();
            }

            var set = RunPeerSet.Parse(read(runId) ?? "");
            _parsed[runId] = set;
            return set;
        }
    }

    /// <summary>A run a report may belong to, latest first: a peer is the run's when it is in the run's set and not one
    /// of the reporter's own addresses (the reporter's allow-list; a lookup, not a list per member).</summary>
    private sealed record CandidateRun(long RunId, long PlannedEnd, RunPeerSet PeerSet, HashSet<IPAddress> Own, bool CloseAcknowledged)
    {
        public bool Allows(string peer) =>
            IPAddress.TryParse(peer, out var address) && PeerSet.Contains(address) && !Own.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

        public static HashSet<IPAddress> OwnOf(RunPeerSet set, string addressesJson) =>
            [.. set.OwnInText(Json.Read<string[]>(addressesJson))];
    }

    /// <summary>The batch's prepared commands: each is compiled once and run for every row.</summary>
    private sealed class Commands : IDisposable
    {
        private readonly SqliteCommand _candidates;
        private readonly SqliteParameter _candidateEndpoint;
        private readonly SqliteParameter _candidateAt;
        private readonly SqliteParameter _candidateGrace;
        private readonly SqliteCommand _peerSet;
        private readonly SqliteCommand _traffic;
        private readonly SqliteCommand _blocked;
        private readonly SqliteCommand _applied;
        private readonly SqliteCommand _acknowledgeOpen;
        private readonly SqliteCommand _acknowledgeClose;
        private readonly SqliteCommand _pruneTraffic;
        private readonly SqliteCommand _pruneBlocked;
        private readonly SqliteCommand _forgetReports;
        private readonly SqliteCommand[] _all;

        public Commands(SqliteConnection connection)
        {
            InsertReport = Prepare(
                connection,
                "INSERT INTO agent_reports (report_id, agent_id, received_at) VALUES ($report, $agent, $at) ON CONFLICT DO NOTHING");
            ReportId = InsertReport.Parameters.Add("$report", SqliteType.Text);
            ReportAgent = InsertReport.Parameters.Add("$agent", SqliteType.Text);
            ReportAt = InsertReport.Parameters.Add("$at", SqliteType.Integer);

            _candidates = Prepare(connection, CandidateRuns);
            _candidateEndpoint = _candidates.Parameters.Add("$endpoint", SqliteType.Integer);
            _candidateAt = _candidates.Parameters.Add("$at", SqliteType.Integer);
            _candidateGrace = _candidates.Parameters.Add("$grace", SqliteType.Integer);
            _peerSet = Prepare(connection, "SELECT ranges FROM run_peer_sets WHERE run_id = $run", ("$run", SqliteType.Integer));

            _traffic = Prepare(
                connection,
                """
                INSERT INTO peer_traffic (run_id, endpoint_id, peer_address, peer_endpoint_id, bytes_served, bytes_received, reported_at)
                VALUES ($run, $endpoint, $peer, (SELECT endpoint_id FROM endpoint_addresses WHERE address = $peer ORDER BY endpoint_id LIMIT 1), $served, $received, $at)
                """,
                ("$run", SqliteType.Integer), ("$endpoint", SqliteType.Integer), ("$peer", SqliteType.Text), ("$served", SqliteType.Integer),
                ("$received", SqliteType.Integer), ("$at", SqliteType.Integer));
            _blocked = Prepare(
                connection,
                """
                INSERT INTO blocked_attempts (run_id, endpoint_id, source_address, source_endpoint_id, port, count, reported_at)
                VALUES ($run, $endpoint, $source, (SELECT endpoint_id FROM endpoint_addresses WHERE address = $source ORDER BY endpoint_id LIMIT 1), $port, $count, $at)
                """,
                ("$run", SqliteType.Integer), ("$endpoint", SqliteType.Integer), ("$source", SqliteType.Text), ("$port", SqliteType.Integer),
                ("$count", SqliteType.Integer), ("$at", SqliteType.Integer));
            _applied = Prepare(
                connection,
                "UPDATE agents SET applied_version = COALESCE(@version, applied_version), apply_error = @error, last_seen_at = @at WHERE id = @agent",
                ("@version", SqliteType.Integer), ("@error", SqliteType.Text), ("@at", SqliteType.Integer), ("@agent", SqliteType.Text));
            _acknowledgeOpen = Prepare(
                connection, SqliteRunStore.AcknowledgeOpenSql, ("@at", SqliteType.Integer), ("@endpointId", SqliteType.Integer), ("@held", SqliteType.Text));
            _acknowledgeClose = Prepare(
                connection, SqliteRunStore.AcknowledgeCloseSql, ("@at", SqliteType.Integer), ("@endpointId", SqliteType.Integer), ("@held", SqliteType.Text));
            // Rows outside every run beyond the newest few are dropped (ix_*_outside_runs, db/0008, holds only those rows).
            _pruneTraffic = Prepare(
                connection,
                """
                DELETE FROM peer_traffic WHERE run_id IS NULL AND endpoint_id = $endpoint AND id <=
                    (SELECT id FROM peer_traffic WHERE run_id IS NULL AND endpoint_id = $endpoint ORDER BY id DESC LIMIT 1 OFFSET $keep)
                """,
                ("$endpoint", SqliteType.Integer), ("$keep", SqliteType.Integer));
            _pruneBlocked = Prepare(
                connection,
                """
                DELETE FROM blocked_attempts WHERE run_id IS NULL AND endpoint_id = $endpoint AND id <=
                    (SELECT id FROM blocked_attempts WHERE run_id IS NULL AND endpoint_id = $endpoint ORDER BY id DESC LIMIT 1 OFFSET $keep)
                """,
                ("$endpoint", SqliteType.Integer), ("$keep", SqliteType.Integer));
            // In slices (ix_agent_reports_received, db/0008), so that the first trim of a big table holds the write lock briefly.
            _forgetReports = Prepare(
                connection,
                "DELETE FROM agent_reports WHERE rowid IN (SELECT rowid FROM agent_reports WHERE received_at < $before ORDER BY received_at LIMIT 20000)",
                ("$before", SqliteType.Integer));
            _all = [InsertReport, _candidates, _peerSet, _traffic, _blocked, _applied, _acknowledgeOpen, _acknowledgeClose, _pruneTraffic, _pruneBlocked, _forgetReports];
        }

        public SqliteCommand InsertReport { get; }

        public SqliteParameter ReportId { get; }

        public SqliteParameter ReportAgent { get; }

        public SqliteParameter ReportAt { get; }

        /// <summary>Every command runs in <paramref name="transaction"/> (the batch's).</summary>
        public void Enlist(SqliteTransaction transaction)
        {
            foreach (var command in _all)
            {
                command.Transaction = transaction;
            }
        }

        public void RecordApplied(string agentId, AppliedState applied, long at)
        {
            var p = _applied.Parameters;
            p[0].Value = (object?)applied.Version ?? DBNull.Value;
            p[1].Value = (object?)applied.Error ?? DBNull.Value;
            p[2].Value = at;
            p[3].Value = agentId;
            _applied.ExecuteNonQuery();
        }

        /// <summary>As <see cref="SqliteRunStore.AcknowledgeAsync(long, IReadOnlyCollection{long}, DateTimeOffset, CancellationToken)"/>.</summary>
        public void Acknowledge(long endpointId, IReadOnlyCollection<long> held, long at)
        {
            var json = Json.Write(held);
            if (held.Count > 0)
            {
                Run(_acknowledgeOpen, at, endpointId, json);
            }

            Run(_acknowledgeClose, at, endpointId, json);

            static void Run(SqliteCommand command, long at, long endpointId, string held)
            {
                command.Parameters[0].Value = at;
                command.Parameters[1].Value = endpointId;
                command.Parameters[2].Value = held;
                command.ExecuteNonQuery();
            }
        }

        public List<CandidateRun> CandidatesOf(long endpointId, long at, long grace, PeerSets peerSets)
        {
            _candidateEndpoint.Value = endpointId;
            _candidateAt.Value = at;
            _candidateGrace.Value = grace;
            var candidates = new List<CandidateRun>();
            using var reader = _candidates.ExecuteReader();
            while (reader.Read())
            {
                var runId = reader.GetInt64(0);
                var set = peerSets.Of(runId, ReadPeerSet);
                candidates.Add(new CandidateRun(runId, reader.GetInt64(1), set, CandidateRun.OwnOf(set, reader.GetString(2)), reader.GetInt64(3) == 0));
            }

            return candidates;
        }

        private string? ReadPeerSet(long runId)
        {
            _peerSet.Parameters[0].Value = runId;
            return _peerSet.ExecuteScalar() as string;
        }

        /// <summary>Keeps the newest <paramref name="keep"/> rows of each kind that belong to no run.</summary>
        public void PruneOutsideRuns(long endpointId, int keep)
        {
            foreach (var command in new[] { _pruneTraffic, _pruneBlocked })
            {
                command.Parameters[0].Value = endpointId;
                command.Parameters[1].Value = keep;
                command.ExecuteNonQuery();
            }
        }

        /// <summary>Forgets report ids received before <paramref name="before"/> (Unix ms).</summary>
        public void ForgetReportIds(long before)
        {
            _forgetReports.Parameters[0].Value = before;
            _forgetReports.ExecuteNonQuery();
        }

        public void InsertTraffic(long? runId, long endpointId, PeerBytes row, long at) =>
            Run(_traffic, runId, endpointId, row.Peer, row.Served, row.Received, at);

        public void InsertBlocked(long? runId, long endpointId, BlockedCount row, long at) =>
            Run(_blocked, runId, endpointId, row.Source, row.Port, row.Count, at);

        public void Dispose()
        {
            foreach (var command in _all)
            {
                command.Dispose();
            }
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

        private static SqliteCommand Prepare(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
        {
            var command = connection.CreateCommand();
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
}
