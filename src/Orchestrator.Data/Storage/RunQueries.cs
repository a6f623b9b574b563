using System.Data;
using System.Data.Common;
using Dapper;
using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using static Orchestrator.Data.Storage.RunRows;

namespace Orchestrator.Data.Storage;

/// <summary>The run statements whose SQL is the same in both dialects (docs/decisions.md, "Shared Dapper statements");
/// each backend keeps its own where the dialects differ (list filters, arrays, collation, member inserts, settlement).</summary>
internal static class RunQueries
{
    internal const string Columns =
        """
        id AS Id, window_id AS WindowId, window_name AS WindowName, occurrence_key AS OccurrenceKey, kind AS Kind, state AS State,
        planned_start AS PlannedStart, planned_end AS PlannedEnd, cutoff_at AS CutoffAt, opened_at AS OpenedAt, closed_at AS ClosedAt,
        close_reason AS CloseReason, definition AS Definition, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    internal const string MemberColumns =
        """
        run_id AS RunId, endpoint_id AS EndpointId, hostname AS Hostname, addresses AS Addresses,
        open_acked_at AS OpenAckedAt, close_acked_at AS CloseAckedAt, close_state AS CloseState
        """;

    /// <summary>The audit action of a run recorded as Skipped because the window's previous run was still open.</summary>
    public const string SkippedWhileOpenAction = "skipped: previous run still open";

    /// <summary>
    /// Creates the run inside the caller's transaction, or finds the one of the same occurrence.
    /// </summary>
    /// <param name="openRunOfWindowSql">The ids of runs of @WindowId that still hold (or are about to hold) their members
    /// at @start, other than @ownId: its NULL-safe comparison differs by dialect.</param>
    public static async Task<(RunRecord Run, bool Created)> CreateAsync(
        IDbConnection connection, IDbTransaction transaction, NewRun run, string actor, DateTimeOffset now, string openRunOfWindowSql)
    {
        var id = await connection.ExecuteScalarAsync<long?>(
            $"""
            INSERT INTO runs (window_id, window_name, occurrence_key, kind, state, planned_start, planned_end, cutoff_at, definition, created_at, updated_at)
            VALUES (@WindowId, @WindowName, @OccurrenceKey, @kind,
                    CASE WHEN @state = 'Opening' AND EXISTS ({openRunOfWindowSql}) THEN 'Skipped' ELSE @state END,
                    @start, @end, @cutoff, @definition, @now, @now)
            ON CONFLICT (window_id, occurrence_key) DO NOTHING
            RETURNING id
            """,
            new
            {
                run.WindowId,
                run.WindowName,
                run.OccurrenceKey,
                kind = run.Kind.ToString(),
                state = run.State.ToString(),
                start = UnixMs.From(run.PlannedStart),
                end = UnixMs.From(run.PlannedEnd),
                cutoff = UnixMs.From(run.CutoffAt),
                definition = Json.Write(run.Definition),
                now = UnixMs.From(now),
                ownId = (long?)null,
            },
            transaction);
        var created = id is not null;
        var record = (await connection.QuerySingleAsync<Row>(
            $"SELECT {Columns} FROM runs WHERE window_id = @WindowId AND occurrence_key = @OccurrenceKey",
            new { run.WindowId, run.OccurrenceKey }, transaction)).ToRecord();
        if (created)
        {
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "run", id, "created",
                new { run.WindowId, run.OccurrenceKey, kind = run.Kind.ToString(), state = record.State.ToString(), run.PlannedStart, run.PlannedEnd });
            if (record.State != run.State)
            {
                // The window's previous run still holds its members: a window never overlaps itself (docs/design.md).
                var open = await connection.QueryFirstAsync<(long Id, long PlannedEnd)>(
                    $"SELECT id, planned_end FROM runs WHERE id IN ({openRunOfWindowSql}) ORDER BY id LIMIT 1",
                    new { run.WindowId, start = UnixMs.From(run.PlannedStart), ownId = id }, transaction);
                await AuditQueries.WriteAsync(connection, transaction, now, actor, "run", id, SkippedWhileOpenAction,
                    new { reason = $"run {open.Id} of this window is still open until {UnixMs.To(open.PlannedEnd):O}", openRunId = open.Id });
            }
        }

        return (record, created);
    }

    /// <summary>The parameters of the list query; its WHERE clause differs by dialect (typed NULL tests on PostgreSQL).</summary>
    public static object ListParameters(RunQuery query) => new
    {
        windowId = query.WindowId,
        state = query.State?.ToString(),
        from = UnixMs.From(query.From),
        to = UnixMs.From(query.To),
        limit = Math.Clamp(query.Limit, 1, 1_000),
    };

    public static async Task<RunRecord?> GetAsync(IDbConnection connection, long id) =>
        (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM runs WHERE id = @id", new { id }))?.ToRecord();

    public static async Task<RunPeerSet?> GetPeerSetAsync(IDbConnection connection, long runId)
    {
        var ranges = await connection.QuerySingleOrDefaultAsync<string>("SELECT ranges FROM run_peer_sets WHERE run_id = @runId", new { runId });
        return ranges is null ? null : RunPeerSet.Parse(ranges);
    }

    /// <summary>The peer set once for the run: storage grows with the members, not with their square.</summary>
    public static Task InsertPeerSetAsync(IDbConnection connection, IDbTransaction transaction, long runId, IReadOnlyList<RunMemberRecord> members) =>
        connection.ExecuteAsync(
            "INSERT INTO run_peer_sets (run_id, ranges) VALUES (@runId, @ranges)",
            new { runId, ranges = RunPeerSet.OfText(members.SelectMany(m => m.Addresses)).Canonical }, transaction);

    /// <summary>The runs the endpoint is a member of that are open at <paramref name="now"/>, by id.</summary>
    public static async Task<List<RunRecord>> ListOpenOfEndpointAsync(IDbConnection connection, long endpointId, DateTimeOffset now) =>
        (await connection.QueryAsync<Row>(
            $"""
            SELECT {Columns} FROM runs
            WHERE state IN ('Open', 'Cutoff') AND planned_end > @now
              AND id IN (SELECT run_id FROM run_members WHERE endpoint_id = @endpointId)
            ORDER BY id
            """,
            new { endpointId, now = UnixMs.From(now) })).Select(r => r.ToRecord()).ToList();

    /// <summary>Closed runs with a member whose close state is not settled, among those closed within
    /// <paramref name="ofLastClose"/> of the latest close; oldest close first.</summary>
    public static async Task<List<RunRecord>> ListUnsettledClosedAsync(IDbConnection connection, TimeSpan ofLastClose) =>
        await ListClosedNearLastAsync(connection, ofLastClose, "AND EXISTS (SELECT 1 FROM run_members m WHERE m.run_id = runs.id AND m.close_state IS NULL)");

    public static Task<List<RunRecord>> ListRecentlyClosedAsync(IDbConnection connection, TimeSpan ofLastClose) =>
        ListClosedNearLastAsync(connection, ofLastClose, "");

    // Closed runs closed within ofLastClose of the most recent close (and whatever `also` adds), oldest close first.
    private static async Task<List<RunRecord>> ListClosedNearLastAsync(IDbConnection connection, TimeSpan ofLastClose, string also) =>
        (await connection.QueryAsync<Row>(
            $"""
            SELECT {Columns} FROM runs
            WHERE state = 'Closed'
              AND closed_at >= (SELECT max(closed_at) FROM runs WHERE state = 'Closed') - @ofLastClose
              {also}
            ORDER BY closed_at, id
            """,
            new { ofLastClose = (long)ofLastClose.TotalMilliseconds })).Select(r => r.ToRecord()).ToList();

    /// <summary>Every run open at <paramref name="now"/>, by id.</summary>
    public static async Task<Dictionary<long, RunRecord>> ListOpenAsync(IDbConnection connection, DateTimeOffset now) =>
        (await connection.QueryAsync<Row>(
            $"SELECT {Columns} FROM runs WHERE state IN ('Open', 'Cutoff') AND planned_end > @now ORDER BY id",
            new { now = UnixMs.From(now) })).Select(r => r.ToRecord()).ToDictionary(r => r.Id);

    /// <summary>A state change in its own transaction (see <see cref="MoveAsync"/>).</summary>
    public static async Task<bool> TransitionAsync(DbConnection connection, long runId, RunState target, string actor, DateTimeOffset now, CloseReason? reason, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await MoveAsync(connection, transaction, runId, target, actor, now, reason, null))
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Compare-and-set on the state column: the row is the truth when a job runs twice, on any node. A second
    /// mover (on PostgreSQL) waits for the first's row lock, then finds the state moved and changes nothing.</summary>
    public static async Task<bool> MoveAsync(IDbConnection connection, IDbTransaction transaction, long runId, RunState to, string actor, DateTimeOffset now, CloseReason? reason, object? detail)
    {
        var from = await connection.QuerySingleOrDefaultAsync<string>("SELECT state FROM runs WHERE id = @runId", new { runId }, transaction);
        if (from is null || !RunStates.CanMove(Enum.Parse<RunState>(from), to))
        {
            return false;
        }

        var at = UnixMs.From(now);
        var changed = await connection.ExecuteAsync(
            """
            UPDATE runs SET state = @to, updated_at = @at,
                opened_at = CASE WHEN @to = 'Open' THEN @at ELSE opened_at END,
                closed_at = CASE WHEN @to IN ('Closed', 'Missed', 'Cancelled') THEN @at ELSE closed_at END,
                close_reason = COALESCE(@reason, close_reason)
            WHERE id = @runId AND state = @from
            """,
            new { runId, from, to = to.ToString(), at, reason = reason?.ToString() },
            transaction);
        if (changed == 0)
        {
            return false;
        }

        await AuditQueries.WriteAsync(connection, transaction, now, actor, "run", runId, $"{from} → {to}", detail ?? (reason is null ? null : new { reason = reason.ToString() }));
        return true;
    }
}
