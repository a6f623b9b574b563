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
        var created = await RunQueries.CreateAsync(connection, transaction, run, actor, now, OpenRunOfWindowSql);
        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<RunRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunQueries.GetAsync(connection, id);
    }

    public async Task<IReadOnlyList<RunRecord>> ListAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"""
            SELECT {RunQueries.Columns} FROM runs
            WHERE (@windowId::bigint IS NULL OR window_id = @windowId)
              AND (@state::text IS NULL OR state = @state)
              AND (@from::bigint IS NULL OR planned_end > @from)
              AND (@to::bigint IS NULL OR planned_start < @to)
            ORDER BY planned_start DESC, id DESC LIMIT @limit
            """,
            RunQueries.ListParameters(query));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<RunRecord>> ListNotFinalAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"SELECT {RunQueries.Columns} FROM runs WHERE state = ANY(@states) ORDER BY planned_end",
            new { states = RunStates.NotFinal.Select(s => s.ToString()).ToArray() });
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<RunRecord>> ListUnsettledClosedAsync(TimeSpan ofLastClose, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunQueries.ListUnsettledClosedAsync(connection, ofLastClose);
    }

    public async Task<IReadOnlyList<RunRecord>> ListRecentlyClosedAsync(TimeSpan ofLastClose, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunQueries.ListRecentlyClosedAsync(connection, ofLastClose);
    }

    public async Task<bool> OpenAsync(long runId, IReadOnlyList<RunMemberRecord> members, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await RunQueries.MoveAsync(connection, transaction, runId, RunState.Open, actor, now, null, new { members = members.Count }))
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
        await RunQueries.InsertPeerSetAsync(connection, transaction, runId, members);

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> TransitionAsync(long runId, RunState target, string actor, DateTimeOffset now, CloseReason? reason = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunQueries.TransitionAsync(connection, runId, target, actor, now, reason, cancellationToken);
    }

    public async Task<RunPeerSet?> GetPeerSetAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunQueries.GetPeerSetAsync(connection, runId);
    }

    public async Task<IReadOnlyList<RunMemberRecord>> GetMembersAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<MemberRow>(
            $"SELECT {RunQueries.MemberColumns} FROM run_members WHERE run_id = @runId ORDER BY lower(hostname) COLLATE \"C\"", new { runId });
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<OpenRun>> ListOpenForEndpointAsync(long endpointId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var runs = await RunQueries.ListOpenOfEndpointAsync(connection, endpointId, now);
        if (runs.Count == 0)
        {
            return [];
        }

        var members = (await connection.QueryAsync<MemberRow>(
                $"SELECT {RunQueries.MemberColumns} FROM run_members WHERE endpoint_id = @endpointId AND run_id = ANY(@ids)",
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
        var runs = await RunQueries.ListOpenAsync(connection, now);
        if (runs.Count == 0)
        {
            return result;
        }

        var members = await connection.QueryAsync<MemberRow>(
            $"""
            SELECT {RunQueries.MemberColumns} FROM run_members
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

        // One statement for the batch: the acknowledgements of a big run's opening arrive together, one per member, and
        // a statement each would be thousands of round trips in the middle of the opening. An endpoint acknowledged twice
        // in one batch keeps its earliest time, as when they are written one after another.
        var pairs = acknowledgements.SelectMany(a => a.RunIds.Select(run => (a.EndpointId, RunId: run, At: UnixMs.From(a.At)))).ToList();
        if (pairs.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                """
                UPDATE run_members m SET open_acked_at = u.at
                FROM (SELECT endpoint_id, run_id, min(at) AS at FROM unnest(@endpoints, @runs, @ats) AS t(endpoint_id, run_id, at)
                      GROUP BY endpoint_id, run_id) u
                WHERE m.endpoint_id = u.endpoint_id AND m.run_id = u.run_id AND m.open_acked_at IS NULL
                """,
                new { endpoints = pairs.Select(p => p.EndpointId).ToArray(), runs = pairs.Select(p => p.RunId).ToArray(), ats = pairs.Select(p => p.At).ToArray() },
                cancellationToken: cancellationToken));
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
}
