using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Storage;
using static Orchestrator.Data.Storage.RunRows;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteRunStore(SqliteDatabase database) : IRunStore
{
    public async Task<(RunRecord Run, bool Created)> CreateAsync(NewRun run, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await RunQueries.CreateAsync(connection, transaction, run, actor, now, OpenRunOfWindowSql);
        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    // Runs of @WindowId that still hold (or are about to hold) their members at @start, other than @ownId.
    private const string OpenRunOfWindowSql =
        "SELECT id FROM runs WHERE window_id = @WindowId AND state IN ('Opening', 'Open', 'Cutoff') AND planned_end > @start AND id IS NOT @ownId";

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
            WHERE (@windowId IS NULL OR window_id = @windowId)
              AND (@state IS NULL OR state = @state)
              AND (@from IS NULL OR planned_end > @from)
              AND (@to IS NULL OR planned_start < @to)
            ORDER BY planned_start DESC, id DESC LIMIT @limit
            """,
            RunQueries.ListParameters(query));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<RunRecord>> ListNotFinalAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"SELECT {RunQueries.Columns} FROM runs WHERE state IN @states ORDER BY planned_end",
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

        // One statement compiled once for every member (a run of hundreds of members opens in milliseconds).
        await using var insert = connection.CreateCommand();
        insert.Transaction = (SqliteTransaction)transaction;
        insert.CommandText =
            """
            INSERT INTO run_members (run_id, endpoint_id, hostname, addresses)
            VALUES ($run, $endpoint, $hostname, $addresses)
            """;
        insert.Parameters.Add("$run", SqliteType.Integer).Value = runId;
        var endpoint = insert.Parameters.Add("$endpoint", SqliteType.Integer);
        var hostname = insert.Parameters.Add("$hostname", SqliteType.Text);
        var addresses = insert.Parameters.Add("$addresses", SqliteType.Text);
        foreach (var member in members)
        {
            endpoint.Value = member.EndpointId;
            hostname.Value = member.Hostname;
            addresses.Value = Json.Write(member.Addresses);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

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
            $"SELECT {RunQueries.MemberColumns} FROM run_members WHERE run_id = @runId ORDER BY lower(hostname)", new { runId });
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
                $"SELECT {RunQueries.MemberColumns} FROM run_members WHERE endpoint_id = @endpointId AND run_id IN @ids",
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
            WHERE run_id IN (SELECT value FROM json_each(@runIds)) AND endpoint_id IN (SELECT value FROM json_each(@endpointIds))
            ORDER BY run_id
            """,
            new { runIds = Json.Write(runs.Keys), endpointIds = Json.Write(result.Keys) });
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

        // One transaction and one prepared statement for the batch: the acknowledgements of a big run's opening arrive
        // together, one per member. Earliest first, so an endpoint acknowledged twice in one batch keeps its earliest time.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = AcknowledgeOpenSql;
        var at = command.Parameters.Add("@at", SqliteType.Integer);
        var endpointId = command.Parameters.Add("@endpointId", SqliteType.Integer);
        var held = command.Parameters.Add("@held", SqliteType.Text);
        foreach (var a in acknowledgements.Where(a => a.RunIds.Count > 0).OrderBy(a => a.At))
        {
            at.Value = UnixMs.From(a.At);
            endpointId.Value = a.EndpointId;
            held.Value = Json.Write(a.RunIds);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    // The endpoint's acknowledgement of the runs it holds (@held: a JSON array of run ids), as two fixed statements, so
    // that the report writer can prepare them once and reuse them for every report.
    internal const string AcknowledgeOpenSql =
        """
        UPDATE run_members SET open_acked_at = @at
        WHERE endpoint_id = @endpointId AND run_id IN (SELECT value FROM json_each(@held)) AND open_acked_at IS NULL
        """;

    // A confirmation after the members were settled (close_state set) is recorded as late: the verdict tells the truth.
    internal const string AcknowledgeCloseSql =
        """
        UPDATE run_members SET close_acked_at = @at, close_state = CASE WHEN close_state IS NULL THEN NULL ELSE 'ConfirmedLate' END
        WHERE endpoint_id = @endpointId AND close_acked_at IS NULL AND run_id NOT IN (SELECT value FROM json_each(@held))
          AND run_id IN (SELECT id FROM runs WHERE state NOT IN ('Opening', 'Open', 'Cutoff') OR planned_end <= @at)
        """;

    /// <summary>The acknowledgement inside a caller's transaction.</summary>
    internal static async Task AcknowledgeAsync(IDbConnection connection, IDbTransaction transaction, long endpointId, IReadOnlyCollection<long> heldRunIds, long at)
    {
        var held = Json.Write(heldRunIds);
        if (heldRunIds.Count > 0)
        {
            await connection.ExecuteAsync(AcknowledgeOpenSql, new { endpointId, held, at }, transaction);
        }

        await connection.ExecuteAsync(AcknowledgeCloseSql, new { endpointId, held, at }, transaction);
    }

    public async Task<CloseSettlement> SettleCloseStatesAsync(long runId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var confirmed = await connection.ExecuteAsync(
            "UPDATE run_members SET close_state = 'Confirmed' WHERE run_id = @runId AND close_state IS NULL AND close_acked_at IS NOT NULL",
            new { runId }, transaction);
        var expired = await connection.ExecuteAsync(
            """
            UPDATE run_members SET close_state = 'ClosedByExpiryUnconfirmed'
            WHERE run_id = @runId AND close_state IS NULL AND close_acked_at IS NULL
              AND (SELECT planned_end FROM runs WHERE id = @runId) <= @now
            """,
            new { runId, now = UnixMs.From(now) }, transaction);
        var open = await connection.ExecuteAsync(
            "UPDATE run_members SET close_state = 'Unconfirmed' WHERE run_id = @runId AND close_state IS NULL AND close_acked_at IS NULL",
            new { runId }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return new CloseSettlement(confirmed, expired, open);
    }
}
