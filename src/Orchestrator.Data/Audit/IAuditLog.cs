namespace Orchestrator.Data.Audit;

/// <summary>Append-only record of changes and run transitions. Stores write their own entries in the same
/// transaction as the change; this interface reads them back.</summary>
public interface IAuditLog
{
    Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Records an event that changes no stored entity (e.g. scan dispatching stopped).</summary>
    Task AppendAsync(string actor, string entity, string? entityId, string action, object? detail, DateTimeOffset now, CancellationToken cancellationToken = default);
}

public sealed record AuditQuery(string? Entity = null, string? EntityId = null, string? Actor = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 200);
