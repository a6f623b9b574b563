using System.Data;
using Dapper;
using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Storage;
using static Orchestrator.Data.Storage.RunRows;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresRunStore(PostgresDatabase database) : IRunStore
{
    private const string Columns =
        """
        id AS Id, window_id AS WindowId, window_name AS WindowName, occurrence_key AS OccurrenceKey, kind AS Kind, state AS State,
        planned_start AS PlannedStart, planned_end AS PlannedEnd, cutoff_at AS CutoffAt, opened_at AS OpenedAt, closed_at AS ClosedAt,
        close_reason AS CloseReason, definition AS Definition, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    /// <summary>The audit action of a run recorded as Skipped because the window's previous run was still open.</summary>
    public const string SkippedWhileOpenAction = "skipped: previous run still open";

    // Runs of @WindowId that still hold (or are about to hold) their members at @start, other than @ownId.
    private const string OpenRunOfWindowSql =
        "SELECT id FROM runs WHERE window_id = @WindowId AND state IN ('Opening', 'Open', 'Cutoff') AND planned_end > @start AND id IS DISTINCT FROM @ownId";

    public async Task<(RunRecord Run, bool Created)> CreateAsync(NewRun run, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Runs of one window are created one at a time (on SQLite every write is): two occurrences of the window created
        // at once on two nodes would otherwise both find no open run and both open. The unique key alone makes one run
        // per occurrence: ON CONFLICT waits for the other insert of the same key and then does nothing.
        await connection.ExecuteAsync("SELECT id FROM windows WHERE id = @WindowId FOR NO KEY UPDATE", new { run.WindowId }, transaction);
        var id = await connection.ExecuteScalarAsync<long?>(
            $"""
            INSERT INTO runs (window_id, window_name, occurrence_key, kind, state, planned_start, planned_end, cutoff_at, definition, created_at, updated_at)
            VALUES (@WindowId, @WindowName, @OccurrenceKey, @kind,
                    CASE WHEN @state = 'Opening' AND EXISTS ({OpenRunOfWindowSql}) THEN 'Skipped' ELSE @state END,
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
            await PostgresAuditLog.WriteAsync(connection, transaction, now, actor, "run", id, "created",
                new { run.WindowId, run.OccurrenceKey, kind = run.Kind.ToString(), state = record.State.ToString(), run.PlannedStart, run.PlannedEnd });
            if (record.State != run.State)
            {
                // The window's previous run still holds its members: a window never overlaps itself (docs/design.md).
                var open = await connection.QueryFirstAsync<(long Id, long PlannedEnd)>(
                    $"SELECT id, planned_end FROM runs WHERE id IN ({OpenRunOfWindowSql}) ORDER BY id LIMIT 1",
                    new { run.WindowId, start = UnixMs.From(run.PlannedStart), ownId = id }, transaction);
                await PostgresAuditLog.WriteAsync(connection, transaction, now, actor, "run", id, SkippedWhileOpenAction,
                    new { reason = $"run {open.Id} of this window is still open until {UnixMs.To(open.PlannedEnd):O}", openRunId = open.Id });
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (record, created);
    }

    public async Task<RunRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM runs WHERE id = @id", new { id }))?.ToRecord();
    }

    public async Task<IReadOnlyList<RunRecord>> ListAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"""
            SELECT {Columns} FROM runs
            WHERE (@windowId::bigint IS NULL OR window_id = @windowId)
              AND (@state::text IS NULL OR state = @state)
              AND (@from::bigint IS NULL OR planned_end > @from)
              AND (@to::bigint IS NULL OR planned_start < @to)
            ORDER BY planned_start DESC, id DESC LIMIT @limit
            """,
            new
            {
                windowId = query.WindowId,
                state = query.State?.ToString(),
                from = UnixMs.From(query.From),
                to = UnixMs.From(query.To),
                limit = Math.Clamp(query.Limit, 1, 1_000),
            });
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<RunRecord>> ListNotFinalAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"SELECT {Columns} FROM runs WHERE state = ANY(@states) ORDER BY planned_end",
            new { states = RunStates.NotFinal.Select(s => s.ToString()).ToArray() });
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<bool> OpenAsync(long runId, IReadOnlyList<RunMemberRecord> members, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await MoveAsync(connection, transaction, runId, RunState.Open, actor, now, null, new { members = members.Count }))
        {
            return false;
        }

        // Every member in one statement (arrays unnested side by side): a run of 10,000 members is one round trip.
        await connection.ExecuteAsync(
            """
            INSERT INTO run_members (run_id, endpoint_id, hostname, addresses)
            SELECT @runId, m.endpoint_id, m.hostname, m.addresses FROM unnest(@endpoints, @hostnames, @addresses) AS m (endpoint_id, hostname, addresses)
            """,
            new
            {
                runId,
                endpoints = members.Select(m => m.EndpointId).ToArray(),
                hostnames = members.Select(m => m.Hostname).ToArray(),
                addresses = members.Select(m => Json.Write(m.Addresses)).ToArray(),
            },
            transaction);

        // The peer set once for the run: storage grows with the members, not with their square.
        var peerSet = RunPeerSet.OfText(members.SelectMany(m => m.Addresses));
        await connection.ExecuteAsync(
            "INSERT INTO run_peer_sets (run_id, ranges) VALUES (@runId, @ranges)", new { runId, ranges = peerSet.Canonical }, transaction);

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> TransitionAsync(long runId, RunState target, string actor, DateTimeOffset now, CloseReason? reason = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await MoveAsync(connection, transaction, runId, target, actor, now, reason, null))
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<RunPeerSet?> GetPeerSetAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var ranges = await connection.QuerySingleOrDefaultAsync<string>("SELECT ranges FROM run_peer_sets WHERE run_id = @runId", new { runId });
        return ranges is null ? null : RunPeerSet.Parse(ranges);
    }

    public async Task<IReadOnlyList<RunMemberRecord>> GetMembersAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<MemberRow>(
            $"SELECT {MemberColumns} FROM run_members WHERE run_id = @runId ORDER BY lower(hostname) COLLATE \"C\"", new { runId });
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<OpenRun>> ListOpenForEndpointAsync(long endpointId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var runs = (await connection.QueryAsync<Row>(
            $"""
            SELECT {Columns} FROM runs
            WHERE state IN ('Open', 'Cutoff') AND planned_end > @now
              AND id IN (SELECT run_id FROM run_members WHERE endpoint_id = @endpointId)
            ORDER BY id
            """,
            new { endpointId, now = UnixMs.From(now) })).Select(r => r.ToRecord()).ToList();
        if (runs.Count == 0)
        {
            return [];
        }

        var members = (await connection.QueryAsync<MemberRow>(
                $"SELECT {MemberColumns} FROM run_members WHERE endpoint_id = @endpointId AND run_id = ANY(@ids)",
                new { endpointId, ids = runs.Select(r => r.Id).ToArray() }))
            .ToDictionary(m => m.RunId, m => m.ToRecord());
        return runs.Select(r => new OpenRun(r, members[r.Id])).ToList();
    }

    public async Task<IReadOnlyDictionary<long, IReadOnlyList<OpenRun>>> ListOpenForEndpointsAsync(
        IReadOnlyCollection<long> endpointIds, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        var result = endpointIds.Distinct().ToDictionary(id => id, _ => (IReadOnlyList<OpenRun>)[]);
        if (result.Count == 0)
        {
            return result;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var runs = (await connection.QueryAsync<Row>(
            $"SELECT {Columns} FROM runs WHERE state IN ('Open', 'Cutoff') AND planned_end > @now ORDER BY id",
            new { now = UnixMs.From(now) })).Select(r => r.ToRecord()).ToDictionary(r => r.Id);
        if (runs.Count == 0)
        {
            return result;
        }

        var members = await connection.QueryAsync<MemberRow>(
            $"""
            SELECT {MemberColumns} FROM run_members
            WHERE run_id = ANY(@runIds) AND endpoint_id = ANY(@endpointIds)
            ORDER BY run_id
            """,
            new { runIds = runs.Keys.ToArray(), endpointIds = result.Keys.ToArray() });
        foreach (var group in members.GroupBy(m => m.EndpointId))
        {
            result[group.Key] = group.Select(m => new OpenRun(runs[m.RunId], m.ToRecord())).ToList();
        }

        return result;
    }

    public async Task AcknowledgeAsync(long endpointId, IReadOnlyCollection<long> heldRunIds, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heldRunIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AcknowledgeAsync(connection, transaction, endpointId, heldRunIds, UnixMs.From(now));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task AcknowledgeOpeningsAsync(IReadOnlyCollection<OpeningAcknowledgement> acknowledgements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(acknowledgements);
        if (acknowledgements.Count == 0)
        {
            return;
        }

        // One transaction for the batch: the acknowledgements of a big run's opening arrive together, one per member.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var a in acknowledgements.Where(a => a.RunIds.Count > 0))
        {
            await connection.ExecuteAsync(
                AcknowledgeOpenSql, new { endpointId = a.EndpointId, held = a.RunIds.ToArray(), at = UnixMs.From(a.At) }, transaction);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    // The endpoint's acknowledgement of the runs it holds (@held: a bigint[] of run ids), as two fixed statements, so
    // that the report writer can prepare them once and reuse them for every report.
    internal const string AcknowledgeOpenSql =
        """
        UPDATE run_members SET open_acked_at = @at
        WHERE endpoint_id = @endpointId AND run_id = ANY(@held) AND open_acked_at IS NULL
        """;

    // A confirmation after the members were settled (close_state set) is recorded as late: the verdict tells the truth.
    internal const string AcknowledgeCloseSql =
        """
        UPDATE run_members SET close_acked_at = @at, close_state = CASE WHEN close_state IS NULL THEN NULL ELSE 'ConfirmedLate' END
        WHERE endpoint_id = @endpointId AND close_acked_at IS NULL AND run_id <> ALL(@held)
          AND run_id IN (SELECT id FROM runs WHERE state NOT IN ('Opening', 'Open', 'Cutoff') OR planned_end <= @at)
        """;

    /// <summary>The acknowledgement inside a caller's transaction.</summary>
    internal static async Task AcknowledgeAsync(IDbConnection connection, IDbTransaction transaction, long endpointId, IReadOnlyCollection<long> heldRunIds, long at)
    {
        var held = heldRunIds.ToArray();
        if (held.Length > 0)
        {
            await connection.ExecuteAsync(AcknowledgeOpenSql, new { endpointId, held, at }, transaction);
        }

        await connection.ExecuteAsync(AcknowledgeCloseSql, new { endpointId, held, at }, transaction);
    }

    public async Task<CloseSettlement> SettleCloseStatesAsync(long runId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // One statement decides each member on its row: a confirmation committed by another node while it runs either
        // comes first (the row is re-read after its lock: Confirmed) or after (it finds the verdict: ConfirmedLate),
        // never in between, as when SQLite ran the three updates of this settlement as one writer.
        var tally = await connection.QuerySingleAsync<(long Confirmed, long Expired, long Open)>(
            """
            WITH settled AS (
                UPDATE run_members m
                SET close_state = CASE WHEN m.close_acked_at IS NOT NULL THEN 'Confirmed'
                                       WHEN r.planned_end <= @now THEN 'ClosedByExpiryUnconfirmed'
                                       ELSE 'Unconfirmed' END
                FROM runs r
                WHERE r.id = m.run_id AND m.run_id = @runId AND m.close_state IS NULL
                RETURNING m.close_state)
            SELECT count(*) FILTER (WHERE close_state = 'Confirmed'),
                   count(*) FILTER (WHERE close_state = 'ClosedByExpiryUnconfirmed'),
                   count(*) FILTER (WHERE close_state = 'Unconfirmed')
            FROM settled
            """,
            new { runId, now = UnixMs.From(now) });
        return new CloseSettlement((int)tally.Confirmed, (int)tally.Expired, (int)tally.Open);
    }

    /// <summary>Compare-and-set on the state column: the row is the truth when a job runs twice, on any node. A second
    /// mover waits for the first's row lock, then finds the state moved and changes nothing.</summary>
    private static async Task<bool> MoveAsync(IDbConnection connection, IDbTransaction transaction, long runId, RunState to, string actor, DateTimeOffset now, CloseReason? reason, object? detail)
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

        await PostgresAuditLog.WriteAsync(connection, transaction, now, actor, "run", runId, $"{from} → {to}", detail ?? (reason is null ? null : new { reason = reason.ToString() }));
        return true;
    }

    private const string MemberColumns =
        """
        run_id AS RunId, endpoint_id AS EndpointId, hostname AS Hostname, addresses AS Addresses,
        open_acked_at AS OpenAckedAt, close_acked_at AS CloseAckedAt, close_state AS CloseState
        """;
}
