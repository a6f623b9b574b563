namespace Orchestrator.Data.Access;

/// <summary>Viewer reads; Operator also changes windows, groups, endpoints and runs; Admin also manages keys,
/// enrollment tokens and agents.</summary>
public enum Role
{
    Viewer,
    Operator,
    Admin,
}

public sealed record ApiKeyRecord(
    long Id, string Name, Role Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);
