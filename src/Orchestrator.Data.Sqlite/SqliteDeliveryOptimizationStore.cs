using Dapper;
using Orchestrator.Data.DeliveryOptimization;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteDeliveryOptimizationStore(SqliteDatabase database) : IDeliveryOptimizationStore
{
    // The run a report belongs to, as for traffic rows (SqliteTrafficStore): open when the report arrived, or ended
    // within the grace (Delivery Optimization's log is read once more after the close), the latest opened first. No
    // allow-list test: a peer outside the run is exactly what the report must show, not drop.
    private const string RunOfReport =
        """
        SELECT r.id FROM runs r JOIN run_members m ON m.run_id = r.id
        WHERE m.endpoint_id = @EndpointId AND r.opened_at IS NOT NULL AND r.opened_at <= @at AND r.planned_end + @grace >= @at
        ORDER BY r.opened_at DESC LIMIT 1
        """;

    public async Task<long?> StoreAsync(DeliveryOptimizationReport report, DateTimeOffset now, TimeSpan lateReportGrace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var at = UnixMs.From(now);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var runId = await connection.QuerySingleOrDefaultAsync<long?>(
            RunOfReport, new { report.EndpointId, at, grace = (long)lateReportGrace.TotalMilliseconds }, transaction);
        if (runId is null)
        {
            return null;
        }

        var inserted = await DeliveryOptimizationQueries.InsertReportAsync(connection, transaction, report, runId.Value, at);
        if (inserted == 0)
        {
            return null;
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO delivery_optimization_peers (endpoint_id, report_id, run_id, peer_address, peer_endpoint_id, bytes_sent, bytes_received)
            VALUES (@EndpointId, @ReportId, @runId, @Peer,
                (SELECT endpoint_id FROM endpoint_addresses WHERE address = @Peer ORDER BY endpoint_id LIMIT 1), @Served, @Received)
            """,
            report.Peers.Select(p => new { report.EndpointId, report.ReportId, runId, p.Peer, p.Served, p.Received }),
            transaction);
        await transaction.CommitAsync(cancellationToken);
        return runId;
    }

    public async Task<RunDeliveryOptimization> GetRunAsync(long runId, int peerLimit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(peerLimit);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await DeliveryOptimizationQueries.GetRunAsync(connection, runId, peerLimit, SqliteDialect.Instance, "p.sent + p.received DESC, p.endpoint_id, p.peer_address");
    }
}
