using System.Runtime.CompilerServices;
using Orchestrator.Core.Reports;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresRunReportStore(PostgresDatabase database) : IRunReportStore
{
    private static readonly string PairsOfRun =
        $"""
        SELECT endpoint_id, peer_address, max(peer_endpoint_id) AS peer_endpoint_id, {Sql.SaturatingSum("bytes_served")} AS bytes
        FROM peer_traffic WHERE run_id = @runId
        GROUP BY endpoint_id, peer_address HAVING sum(bytes_served) > 0
        ORDER BY bytes DESC, endpoint_id, peer_address COLLATE "C"
        """;

    public async Task<RunReportFacts> GetFactsAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var members = await RunReportQueries.MembersAsync(connection, runId, PostgresDialect.Instance);
        var blocked = await BlockedAttemptRows.OfRunAsync(connection, runId);
        return await RunReportQueries.FactsAsync(connection, runId, members, blocked);
    }

    public async Task<IReadOnlyList<PeerTransfer>> GetTransfersAsync(long runId, int offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunReportQueries.GetTransfersAsync(connection, runId, offset, limit, PairsOfRun, PostgresDialect.Instance);
    }

    public async IAsyncEnumerable<PeerTransfer> StreamTransfersAsync(long runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var transfer in RunReportQueries.StreamTransfersAsync(connection, runId, PairsOfRun, PostgresDialect.Instance, cancellationToken))
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
        return await RunReportQueries.ListReportsPendingAsync(connection, "r.id = ANY(@ids)", new { ids = runIds.ToArray() });
    }

    public async Task<IReadOnlyList<RunReportSnapshot>> ListSnapshotFiguresAsync(long windowId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RunReportQueries.ListSnapshotFiguresAsync(connection, windowId);
    }
}
