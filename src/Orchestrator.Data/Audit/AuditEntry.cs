namespace Orchestrator.Data.Audit;

/// <summary>Who did what to which entity, when. <see cref="Detail"/> is JSON.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Entity, string? EntityId, string Action, string? Detail);
