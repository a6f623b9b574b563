using Dapper;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteAuditLog(SqliteDatabase database) : IAuditLog
{
    public async Task AppendAsync(string actor, string entity, string? entityId, string action, object? detail, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await AuditQueries.WriteAsync(connection, null, now, actor, entity, entityId, action, detail);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditQueries.Row>(
            $"""
            SELECT {AuditQueries.Columns} FROM audit_log
            WHERE (@entity IS NULL OR entity = @entity)
              AND (@entityId IS NULL OR entity_id = @entityId)
              AND (@actor IS NULL OR actor = @actor)
              AND (@from IS NULL OR at >= @from)
              AND (@to IS NULL OR at < @to)
            ORDER BY id DESC LIMIT @limit
            """,
            AuditQueries.ListParameters(query));
        return rows.Select(r => r.ToRecord()).ToList();
    }
}
