using System.Data;
using Dapper;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

/// <summary>A run's blocked attempts per source, target and port, most first: read by the traffic API and the run report.</summary>
internal static class BlockedAttemptRows
{
    public static async Task<IReadOnlyList<BlockedAttemptRow>> OfRunAsync(IDbConnection connection, long runId) =>
        (await connection.QueryAsync<BlockedAttemptRow>(
            $"""
            SELECT b.source_address AS SourceAddress, max(b.source_endpoint_id) AS SourceEndpointId, se.hostname AS SourceHostname,
                   b.endpoint_id AS TargetEndpointId, te.hostname AS TargetHostname, b.port AS Port, {Sql.SaturatingSum("b.count")} AS Count
            FROM blocked_attempts b
            JOIN endpoints te ON te.id = b.endpoint_id
            LEFT JOIN endpoints se ON se.id = b.source_endpoint_id
            WHERE b.run_id = @runId
            GROUP BY b.source_address, b.endpoint_id, b.port
            ORDER BY Count DESC, b.source_address, te.hostname
            """,
            new { runId })).ToList();
}
