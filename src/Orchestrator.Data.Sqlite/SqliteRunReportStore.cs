using System.Runtime.CompilerServices;
using Dapper;
using Orchestrator.Core.Reports;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteRunReportStore(SqliteDatabase database) : IRunReportStore
{
    private static readonly string PairsOfRun =
        $"""
        SELECT endpoint_id, peer_address, max(peer_endpoint_id) AS peer_endpoint_id, {Sql.SaturatingSum("bytes_served")} AS bytes
        FROM peer_traffic WHERE run_id = @runId
        GROUP BY endpoint_id, peer_address HAVING total(bytes_served) > 0
        ORDER BY bytes DESC, endpoint_id, peer_address
        """;

    public async Task<RunReportFacts> GetFactsAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // A run with no members (missed, skipped, refused by its pre-open hook) is not queried: with no row SQLite types
        // the computed columns as BLOB, and Dapper then finds no constructor to map them to (the report answered 500).
        var hasMembers = await connection.ExecuteScalarAsync<long>("SELECT EXISTS (SELECT 1 FROM run_members WHERE run_id = @runId)", new { runId }) == 1;
        var members = !hasMembers ? [] : await RunReportQueries.MembersAsync(connection, runId, SqliteDialect.Instance);
        var blocked = await BlockedAttemptRows.OfRunAsync(connection, runId);
        return await RunReportQueries.FactsAsync(connection, runId, members, blocked);
    }

    public async Task<IReadOnlyList<PeerTransfer>> GetTransfersAsync(long runId, int offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunReportQueries.GetTransfersAsync(connection, runId, offset, limit, PairsOfRun, SqliteDialect.Instance);
    }

    public async IAsyncEnumerable<PeerTransfer> StreamTransfersAsync(long runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var transfer in RunReportQueries.StreamTransfersAsync(connection, runId, PairsOfRun, SqliteDialect.Instance, cancellationToken))
        {
            yield return transfer;
        }
    }

    public async Task SaveSnapshotAsync(RunReportSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await using var connection = await database.OpenAsync(cancellationToken);
        await RunReportQueries.SaveSnapshotAsync(connection, snapshot);
    }

    public async Task<RunReportSnapshot?> GetSnapshotAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunReportQueries.GetSnapshotAsync(connection, runId);
    }

    public async Task<bool> RecordReportAlertAsync(long runId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunReportQueries.RecordReportAlertAsync(connection, runId, at);
    }

    public async Task<IReadOnlyList<long>> ListReportsPendingAsync(IReadOnlyCollection<long> runIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        if (runIds.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunReportQueries.ListReportsPendingAsync(connection, "r.id IN @ids", new { ids = runIds });
    }

    public async Task<IReadOnlyList<RunReportSnapshot>> ListSnapshotFiguresAsync(long windowId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunReportQueries.ListSnapshotFiguresAsync(connection, windowId);
    }
}
