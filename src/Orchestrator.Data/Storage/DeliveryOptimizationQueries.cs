using System.Data;
using System.Net;
using Dapper;
using Orchestrator.Core.Reports;
using Orchestrator.Data.DeliveryOptimization;

namespace Orchestrator.Data.Storage;

/// <summary>The Delivery Optimization statements whose SQL is the same in both dialects but for <see cref="ISqlDialect"/>
/// (docs/decisions.md, "Shared Dapper statements"); each backend keeps how it finds a report's run, inserts its peers
/// and orders the peer list.</summary>
internal static class DeliveryOptimizationQueries
{
    /// <summary>Stores the report's byte counts under its run; 0 when its report id was stored before (a retry, on this
    /// node or another, finds the key taken and stores nothing).</summary>
    public static Task<int> InsertReportAsync(IDbConnection connection, IDbTransaction transaction, DeliveryOptimizationReport report, long runId, long at)
    {
        var b = report.Bytes;
        return connection.ExecuteAsync(
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
    }

    /// <param name="peerOrder">The ORDER BY terms of the peer list, largest traffic first (how a sum of two saturated
    /// figures and the address collation are written differs by dialect).</param>
    public static async Task<RunDeliveryOptimization> GetRunAsync(IDbConnection connection, long runId, int peerLimit, ISqlDialect dialect, string peerOrder)
    {
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
        var peers = (await connection.QueryAsync<PeerRow>(
            $"""
            WITH p AS (
                SELECT endpoint_id, peer_address, max(peer_endpoint_id) AS peer_endpoint_id,
                       {Sum("bytes_sent")} AS sent, {Sum("bytes_received")} AS received
                FROM delivery_optimization_peers WHERE run_id = @runId GROUP BY endpoint_id, peer_address)
            SELECT p.endpoint_id AS EndpointId, coalesce(se.hostname, '#' || p.endpoint_id) AS Hostname, p.peer_address AS PeerAddress,
                   p.peer_endpoint_id AS PeerEndpointId, pe.hostname AS PeerHostname, p.sent AS BytesSent, p.received AS BytesReceived,
                   count(*) OVER () AS Total
            FROM p LEFT JOIN endpoints se ON se.id = p.endpoint_id LEFT JOIN endpoints pe ON pe.id = p.peer_endpoint_id
            ORDER BY {peerOrder}
            LIMIT @peerLimit
            """,
            new { runId, peerLimit })).ToList();

        // Compared as parsed addresses: Delivery Optimization may print an IPv6 address in another form than enrollment stored.
        var memberAddresses = roster.SelectMany(r => Json.Read<string[]>(r.Addresses))
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).OfType<IPAddress>().ToHashSet();
        return new RunDeliveryOptimization(
            members.ToDictionary(m => m.EndpointId, m => m.ToBytes()),
            roster.Where(r => r.Os is not null && r.Os.StartsWith("windows", StringComparison.OrdinalIgnoreCase)).Select(r => r.EndpointId).ToHashSet(),
            peers.Select(p => new DeliveryOptimizationPeerRow(
                p.EndpointId, p.Hostname, p.PeerAddress, p.PeerEndpointId, p.PeerHostname, p.BytesSent, p.BytesReceived,
                IPAddress.TryParse(p.PeerAddress, out var ip) && memberAddresses.Contains(ip))).ToList(),
            peers.Count == 0 ? 0 : peers[0].Total);

        string Sum(string column) => dialect.SaturatingSum(column);
    }

    // Settable properties: on an empty result SQLite reports aggregate columns without a type, which defeats Dapper's
    // constructor matching.
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
