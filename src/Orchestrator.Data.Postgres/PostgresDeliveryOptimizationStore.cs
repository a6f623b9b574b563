using System.Net;
using Dapper;
using Orchestrator.Core.Reports;
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
        var b = report.Bytes;
        var inserted = await connection.ExecuteAsync(
            """
            INSERT INTO delivery_optimization_reports (endpoint_id, report_id, run_id, reported_at, bytes_from_http, bytes_from_peers,
                bytes_from_lan_peers, bytes_from_group_peers, bytes_from_internet_peers, bytes_from_cache_server,
                bytes_to_lan_peers, bytes_to_group_peers, bytes_to_internet_peers)
            VALUES (@EndpointId, @ReportId, @runId, @at, @FromHttp, @FromPeers, @FromLanPeers, @FromGroupPeers, @FromInternetPeers,
                @FromCacheServer, @ToLanPeers, @ToGroupPeers, @ToInternetPeers)
            ON CONFLICT DO NOTHING
            """,
            new
            {
                report.EndpointId, report.ReportId, runId, at, b.FromHttp, b.FromPeers, b.FromLanPeers, b.FromGroupPeers, b.FromInternetPeers,
                b.FromCacheServer, b.ToLanPeers, b.ToGroupPeers, b.ToInternetPeers,
            },
            transaction);
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
        var members = await connection.QueryAsync<MemberSums>(
            $"""
            SELECT endpoint_id AS EndpointId, {Sum("bytes_from_http")} AS FromHttp, {Sum("bytes_from_peers")} AS FromPeers,
                   {Sum("bytes_from_lan_peers")} AS FromLanPeers, {Sum("bytes_from_group_peers")} AS FromGroupPeers,
                   {Sum("bytes_from_internet_peers")} AS FromInternetPeers, {Sum("bytes_from_cache_server")} AS FromCacheServer,
                   {Sum("bytes_to_lan_peers")} AS ToLanPeers, {Sum("bytes_to_group_peers")} AS ToGroupPeers,
                   {Sum("bytes_to_internet_peers")} AS ToInternetPeers
            FROM delivery_optimization_reports WHERE run_id = @runId GROUP BY endpoint_id
            """,
            new { runId });
        var roster = (await connection.QueryAsync<RosterRow>(
            "SELECT m.endpoint_id AS EndpointId, m.addresses AS Addresses, e.os AS Os FROM run_members m LEFT JOIN endpoints e ON e.id = m.endpoint_id WHERE m.run_id = @runId",
            new { runId })).ToList();
        // Ordered by the exact sum (numeric): two saturated figures added as bigint would overflow and fail the read.
        var peers = await connection.QueryAsync<PeerRow>(
            $"""
            WITH p AS (
                SELECT endpoint_id, peer_address, max(peer_endpoint_id) AS peer_endpoint_id,
                       {Sum("bytes_sent")} AS sent, {Sum("bytes_received")} AS received
                FROM delivery_optimization_peers WHERE run_id = @runId GROUP BY endpoint_id, peer_address)
            SELECT p.endpoint_id AS EndpointId, coalesce(se.hostname, '#' || p.endpoint_id) AS Hostname, p.peer_address AS PeerAddress,
                   p.peer_endpoint_id AS PeerEndpointId, pe.hostname AS PeerHostname, p.sent AS BytesSent, p.received AS BytesReceived,
                   count(*) OVER () AS Total
            FROM p LEFT JOIN endpoints se ON se.id = p.endpoint_id LEFT JOIN endpoints pe ON pe.id = p.peer_endpoint_id
            ORDER BY p.sent::numeric + p.received DESC, p.endpoint_id, p.peer_address
            LIMIT @peerLimit
            """,
            new { runId, peerLimit });

        // Compared as parsed addresses: Delivery Optimization may print an IPv6 address in another form than enrollment stored.
        var memberAddresses = roster.SelectMany(r => Json.Read<string[]>(r.Addresses))
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).OfType<IPAddress>().ToHashSet();
        var peerList = peers.ToList();
        return new RunDeliveryOptimization(
            members.ToDictionary(m => m.EndpointId, m => m.ToBytes()),
            roster.Where(r => r.Os is not null && r.Os.StartsWith("windows", StringComparison.OrdinalIgnoreCase)).Select(r => r.EndpointId).ToHashSet(),
            peerList.Select(p => new DeliveryOptimizationPeerRow(
                p.EndpointId, p.Hostname, p.PeerAddress, p.PeerEndpointId, p.PeerHostname, p.BytesSent, p.BytesReceived,
                IPAddress.TryParse(p.PeerAddress, out var ip) && memberAddresses.Contains(ip))).ToList(),
            peerList.Count == 0 ? 0 : peerList[0].Total);

        static string Sum(string column) => Sql.SaturatingSum(column);
    }

    private sealed class MemberSums
    {
        public long EndpointId { get; init; }
        public long FromHttp { get; init; }
        public long FromPeers { get; init; }
        public long FromLanPeers { get; init; }
        public long FromGroupPeers { get; init; }
        public long FromInternetPeers { get; init; }
        public long FromCacheServer { get; init; }
        public long ToLanPeers { get; init; }
        public long ToGroupPeers { get; init; }
        public long ToInternetPeers { get; init; }

        public DeliveryOptimizationBytes ToBytes() =>
            new(FromHttp, FromPeers, FromLanPeers, FromGroupPeers, FromInternetPeers, FromCacheServer, ToLanPeers, ToGroupPeers, ToInternetPeers);
    }

    private sealed class RosterRow
    {
        public long EndpointId { get; init; }
        public string Addresses { get; init; } = "[]";
        public string? Os { get; init; }
    }

    private sealed class PeerRow
    {
        public long EndpointId { get; init; }
        public string Hostname { get; init; } = "";
        public string PeerAddress { get; init; } = "";
        public long? PeerEndpointId { get; init; }
        public string? PeerHostname { get; init; }
        public long BytesSent { get; init; }
        public long BytesReceived { get; init; }
        public long Total { get; init; }
    }
}
