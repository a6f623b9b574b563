using System.Data;
using Dapper;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresAuditLog(PostgresDatabase database) : IAuditLog
{
    /// <summary>One entry inside the caller's transaction: a change and its audit row commit together or not at all.</summary>
    public static Task WriteAsync(IDbConnection connection, IDbTransaction? transaction, DateTimeOffset at, string actor, string entity, object? entityId, string action, object? detail = null) =>
        connection.ExecuteAsync(
            "INSERT INTO audit_log (at, actor, entity, entity_id, action, detail) VALUES (@at, @actor, @entity, @entityId, @action, @detail)",
            new { at = UnixMs.From(at), actor, entity, entityId = entityId?.ToString(), action, detail = detail is null ? null : Json.Write(detail) },
            transaction);

    public async Task AppendAsync(string actor, string entity, string? entityId, string action, object? detail, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await WriteAsync(connection, null, now, actor, entity, entityId, action, detail);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            """
            SELECT id AS Id, at AS At, actor AS Actor, entity AS Entity, entity_id AS EntityId, action AS Action, detail AS Detail FROM audit_log
            WHERE (@entity::text IS NULL OR entity = @entity)
              AND (@entityId::text IS NULL OR entity_id = @entityId)
              AND (@actor::text IS NULL OR actor = @actor)
              AND (@from::bigint IS NULL OR at >= @from)
              AND (@to::bigint IS NULL OR at < @to)
            ORDER BY id DESC LIMIT @limit
            """,
            new { entity = query.Entity, entityId = query.EntityId, actor = query.Actor, from = UnixMs.From(query.From), to = UnixMs.From(query.To), limit = Math.Clamp(query.Limit, 1, 5_000) });
        return rows.Select(r => new AuditEntry(r.Id, UnixMs.To(r.At), r.Actor, r.Entity, r.EntityId, r.Action, r.Detail)).ToList();
    }

    private sealed record Row(long Id, long At, string Actor, string Entity, string? EntityId, string Action, string? Detail);
}
