using System.Threading.Channels;
using Dapper;
using Orchestrator.Data.Storage;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Postgres;

/// <remarks>
/// Reports are written by one writer per server node, in batches: every report that arrives while a batch is being
/// written goes into the next one, in one transaction whose rows go in by binary COPY (<see cref="TrafficBatch"/>).
/// Thousands of agents each opening their own transaction would each pay a commit and several round trips for a few
/// rows, and hold as many pooled connections; one batch of a few hundred reports costs a handful of round trips. Each
/// caller still gets its own answer (stored, or a duplicate) once the batch holding its report is committed. Several
/// nodes write at once; the report id's primary key keeps a report from being stored twice whichever node gets it.
/// </remarks>
internal sealed class PostgresTrafficStore(PostgresDatabase database) : ITrafficStore
{
    /// <summary>Rows (traffic + blocked) after which a batch is committed and the next one started.</summary>
    private const int BatchRows = 20_000;

    /// <summary>How long the writer waits for more reports once the queue is empty before it stops.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    private readonly Channel<PendingReport> _queue = Channel.CreateUnbounded<PendingReport>(new UnboundedChannelOptions { SingleReader = true });

    // Parsed peer sets by run: a run's set is written once, when it opens, and every report of the run would otherwise
    // parse it again. Only the one running writer touches it.
    private readonly PeerSetCache _peerSets = new();
    private int _writing;

    // When the writer next forgets report ids older than ITrafficStore.ReportIdRetention (once a minute at most).
    private long _nextReportIdPrune;

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

    public async Task<RunTraffic> GetRunTrafficAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var transfers = await connection.QueryAsync<TransferRow>(
            $"""
            WITH t AS (
                SELECT endpoint_id, peer_address, max(peer_endpoint_id) AS peer_endpoint_id, {Sql.SaturatingSum("bytes_served")} AS bytes
                FROM peer_traffic WHERE run_id = @runId
                GROUP BY endpoint_id, peer_address
                HAVING sum(bytes_served) > 0)
            SELECT t.endpoint_id AS ServingEndpointId, se.hostname AS ServingHostname,
                   COALESCE(m.addresses::jsonb ->> 0, '') AS ServingAddress,
                   t.peer_endpoint_id AS ReceivingEndpointId, re.hostname AS ReceivingHostname, t.peer_address AS ReceivingAddress,
                   t.bytes AS Bytes
            FROM t
            JOIN endpoints se ON se.id = t.endpoint_id
            JOIN run_members m ON m.run_id = @runId AND m.endpoint_id = t.endpoint_id
            LEFT JOIN endpoints re ON re.id = t.peer_endpoint_id
            ORDER BY t.bytes DESC
            """,
            new { runId });
        var blocked = await BlockedAttemptRows.OfRunAsync(connection, runId);
        return new RunTraffic(
            transfers.Select(t => new Transfer(t.ServingEndpointId, t.ServingHostname, t.ServingAddress, t.ReceivingEndpointId, t.ReceivingHostname, t.ReceivingAddress, t.Bytes)).ToList(),
            blocked.Select(b => new Blocked(b.SourceAddress, b.SourceEndpointId, b.SourceHostname, b.TargetEndpointId, b.TargetHostname, b.Port, b.Count)).ToList());
    }

    /// <summary>Writes batches until the queue stays empty for <see cref="Linger"/>, then stops; the next report starts a writer again.</summary>
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
            // Each batch answers its own errors; this is only reached by a bug. The next report starts a writer afresh.
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
            // One bad report (or a deadlock with another node's batch) must not fail the others: write each on its own,
            // and let each fail alone.
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
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var writer = new TrafficBatch(connection, transaction, _peerSets);
        var stored = await writer.WriteAsync(batch.Select(p => (p.Report, p.At, p.Grace)).ToList());

        var latest = batch[^1].At;
        if (latest >= _nextReportIdPrune)
        {
            await writer.ForgetReportIdsAsync(latest - (long)ITrafficStore.ReportIdRetention.TotalMilliseconds);
            _nextReportIdPrune = latest + 60_000;
        }

        await transaction.CommitAsync();
        return stored;
    }

    private sealed record PendingReport(AgentReport Report, long At, long Grace)
    {
        public TaskCompletionSource<bool> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class TransferRow
    {
        public long ServingEndpointId { get; init; }

        public string ServingHostname { get; init; } = "";

        public string ServingAddress { get; init; } = "";

        public long? ReceivingEndpointId { get; init; }

        public string? ReceivingHostname { get; init; }

        public string ReceivingAddress { get; init; } = "";

        public long Bytes { get; init; }
    }
}
