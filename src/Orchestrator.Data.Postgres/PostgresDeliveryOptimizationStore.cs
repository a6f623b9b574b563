using Dapper;
using Orchestrator.Data.DeliveryOptimization;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresDeliveryOptimizationStore(PostgresDatabase database) : IDeliveryOptimizationStore
{
    // The run a report belongs to, as for traffic rows (TrafficBatch): open when the report arrived, or ended within the
    // grace (Delivery Optimization's log is read once more after the close), the latest opened first. No allow-list
    // test: a peer outside the run is exactly what the report must show, not drop.
    private const string RunOfReport =
        """
        SELECT r.id FROM runs r JOIN run_members m ON m.run_id = r.id
        WHERE m.endpoint_id = @EndpointId AND r.opened_at IS NOT NULL AND r.opened_at <= @at AND r.planned_end + @grace >= @at
        ORDER BY r.opened_at DESC, r.id DESC LIMIT 1
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

        // A retry of the same report id (on this node or another) finds the key taken and stores nothing.
        var inserted = await DeliveryOptimizationQueries.InsertReportAsync(connection, transaction, report, runId.Value, at);
        if (inserted == 0)
        {
            return null;
        }

        if (report.Peers.Count > 0)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO delivery_optimization_peers (endpoint_id, report_id, run_id, peer_address, peer_endpoint_id, bytes_sent, bytes_received)
                SELECT @EndpointId, @ReportId, @runId, u.peer,
                       (SELECT endpoint_id FROM endpoint_addresses WHERE address = u.peer ORDER BY endpoint_id LIMIT 1), u.sent, u.received
                FROM unnest(@peers, @sent, @received) WITH ORDINALITY AS u(peer, sent, received, n)
                ORDER BY u.n
                """,
                new
                {
                    report.EndpointId, report.ReportId, runId,
                    peers = report.Peers.Select(p => p.Peer).ToArray(),
                    sent = report.Peers.Select(p => p.Served).ToArray(),
                    received = report.Peers.Select(p => p.Received).ToArray(),
                },
                transaction);
        }

        await transaction.CommitAsync(cancellationToken);
        return runId;
    }

    public async Task<RunDeliveryOptimization> GetRunAsync(long runId, int peerLimit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(peerLimit);
        await using var connection = await database.OpenAsync(cancellationToken);
        // Ordered by the exact sum (numeric): two saturated figures added as bigint would overflow and fail the read.
        return await DeliveryOptimizationQueries.GetRunAsync(connection, runId, peerLimit, PostgresDialect.Instance, "p.sent::numeric + p.received DESC, p.endpoint_id, p.peer_address COLLATE \"C\"");
    }
}
