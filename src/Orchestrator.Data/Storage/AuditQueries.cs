using System.Data;
using Dapper;
using Orchestrator.Data.Audit;

namespace Orchestrator.Data.Storage;

/// <summary>The audit statements whose SQL is the same in both dialects (docs/decisions.md, "Shared Dapper statements").</summary>
internal static class AuditQueries
{
    internal const string Columns = "id AS Id, at AS At, actor AS Actor, entity AS Entity, entity_id AS EntityId, action AS Action, detail AS Detail";

    /// <summary>One entry inside the caller's transaction: a change and its audit row commit together or not at all.</summary>
    public static Task WriteAsync(IDbConnection connection, IDbTransaction? transaction, DateTimeOffset at, string actor, string entity, object? entityId, string action, object? detail = null) =>
        connection.ExecuteAsync(
            "INSERT INTO audit_log (at, actor, entity, entity_id, action, detail) VALUES (@at, @actor, @entity, @entityId, @action, @detail)",
            new { at = UnixMs.From(at), actor, entity, entityId = entityId?.ToString(), action, detail = detail is null ? null : Json.Write(detail) },
            transaction);

    /// <summary>The parameters of the list query; its WHERE clause differs by dialect (typed NULL tests on PostgreSQL).</summary>
    public static object ListParameters(AuditQuery query) =>
        new { entity = query.Entity, entityId = query.EntityId, actor = query.Actor, from = UnixMs.From(query.From), to = UnixMs.From(query.To), limit = Math.Clamp(query.Limit, 1, 5_000) };

    internal sealed record Row(long Id, long At, string Actor, string Entity, string? EntityId, string Action, string? Detail)
    {
        public AuditEntry ToRecord() => new(Id, UnixMs.To(At), Actor, Entity, EntityId, Action, Detail);
    }
}
