using Orchestrator.Data.Agents;

namespace Orchestrator.Server.Agents;

/// <summary><c>expiresIn</c> is an ISO-8601 duration (default P1D, at most P365D).</summary>
public sealed record EnrollmentTokenRequest(string? Name, string? ExpiresIn, bool? SingleUse);

/// <summary>The token itself appears only in the answer to its creation.</summary>
public sealed record EnrollmentTokenResponse(
    long Id, string Name, string? Token, bool SingleUse, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int Uses, DateTimeOffset? RevokedAt)
{
    public static EnrollmentTokenResponse From(EnrollmentTokenRecord t, string? token = null) =>
        new(t.Id, t.Name, token, t.SingleUse, t.CreatedAt, t.ExpiresAt, t.Uses, t.RevokedAt);
}

/// <summary>An enrolled agent. <see cref="Online"/>: it called within the offline threshold.</summary>
public sealed record AgentResponse(
    string AgentId, long EndpointId, string Hostname, string AgentVersion, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeenAt,
    bool Online, bool Revoked, long? AppliedVersion, string? ApplyError);
