namespace Orchestrator.Data.Audit;

/// <summary>Append-only record of changes and run transitions. Stores write their own entries in the same
/// transaction as the change; this interface reads them back.</summary>
public interface IAuditLog
{
    Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken = default);
}

public sealed record AuditQuery(string? Entity = null, string? EntityId = null, string? Actor = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 200);
