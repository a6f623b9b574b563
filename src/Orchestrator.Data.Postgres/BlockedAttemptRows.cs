using System.Data;
using Dapper;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

/// <summary>A run's blocked attempts per source, target and port, most first: read by the traffic API and the run report.</summary>
internal static class BlockedAttemptRows
{
    public static async Task<IReadOnlyList<BlockedAttemptRow>> OfRunAsync(IDbConnection connection, long runId) =>
        (await connection.QueryAsync<BlockedAttemptRow>(
            $"""
            WITH b AS (
                SELECT source_address, endpoint_id, port, max(source_endpoint_id) AS source_endpoint_id, {Sql.SaturatingSum("count")} AS count
                FROM blocked_attempts WHERE run_id = @runId
                GROUP BY source_address, endpoint_id, port)
            SELECT b.source_address AS SourceAddress, b.source_endpoint_id AS SourceEndpointId, se.hostname AS SourceHostname,
                   b.endpoint_id AS TargetEndpointId, te.hostname AS TargetHostname, b.port AS Port, b.count AS Count
            FROM b
            JOIN endpoints te ON te.id = b.endpoint_id
            LEFT JOIN endpoints se ON se.id = b.source_endpoint_id
            ORDER BY b.count DESC, b.source_address COLLATE "C", te.hostname COLLATE "C"
            """,
            new { runId })).ToList();
}
