using System.Data;
using Dapper;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

// TEMPORARY (pg-stores-b): stand-ins for pg-stores-a's step 2, deleted when that branch is merged.
internal static class PostgresEndpointStore
{
    internal static async Task<(long Id, bool Created)> UpsertAsync(
        IDbConnection connection, IDbTransaction transaction, EndpointRegistration registration, string source, string actor, DateTimeOffset now, bool mergeTags)
    {
        var existing = await connection.QuerySingleOrDefaultAsync<long?>(
            "SELECT id FROM endpoints WHERE lower(hostname) = lower(@Hostname)", new { registration.Hostname }, transaction);
        var values = new
        {
            registration.Hostname, addresses = Json.Write(registration.Addresses), registration.Os, tags = Json.Write(registration.Tags), source, now = UnixMs.From(now),
        };
        var id = existing ?? await connection.ExecuteScalarAsync<long>(
            "INSERT INTO endpoints (hostname, addresses, os, tags, source, created_at, updated_at) VALUES (@Hostname, @addresses, @Os, @tags, @source, @now, @now) RETURNING id",
            values, transaction);
        await connection.ExecuteAsync("DELETE FROM endpoint_addresses WHERE endpoint_id = @id", new { id }, transaction);
        await connection.ExecuteAsync(
            "INSERT INTO endpoint_addresses (address, endpoint_id) SELECT DISTINCT a, @id FROM unnest(@addresses) AS a ON CONFLICT DO NOTHING",
            new { id, addresses = registration.Addresses.ToArray() }, transaction);
        await PostgresAuditLog.WriteAsync(connection, transaction, now, actor, "endpoint", id, existing is null ? "created" : "updated", registration);
        return (id, existing is null);
    }
}

internal static class PostgresRunStore
{
    internal static async Task AcknowledgeAsync(IDbConnection connection, IDbTransaction transaction, long endpointId, IReadOnlyCollection<long> heldRunIds, long at)
    {
        var held = heldRunIds.ToArray();
        if (held.Length > 0)
        {
            await connection.ExecuteAsync(
                "UPDATE run_members SET open_acked_at = @at WHERE endpoint_id = @endpointId AND run_id = ANY(@held) AND open_acked_at IS NULL",
                new { endpointId, held, at }, transaction);
        }

        await connection.ExecuteAsync(
            """
            UPDATE run_members SET close_acked_at = @at, close_state = CASE WHEN close_state IS NULL THEN NULL ELSE 'ConfirmedLate' END
            WHERE endpoint_id = @endpointId AND close_acked_at IS NULL AND NOT (run_id = ANY(@held))
              AND run_id IN (SELECT id FROM runs WHERE state NOT IN ('Opening', 'Open', 'Cutoff') OR planned_end <= @at)
            """,
            new { endpointId, held, at }, transaction);
    }
}
