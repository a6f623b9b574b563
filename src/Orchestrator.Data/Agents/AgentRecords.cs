using Orchestrator.Core;
using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Endpoints;

namespace Orchestrator.Data.Agents;

public sealed record EnrollmentTokenRecord(
    long Id, string Name, bool SingleUse, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt, int Uses, DateTimeOffset? RevokedAt,
    EnrollmentScope Scope);

public sealed record AgentRecord(
    string Id,
    long EndpointId,
    string Hostname,
    string SecretHash,
    string AgentVersion,
    DateTimeOffset EnrolledAt,
    DateTimeOffset? RotatedAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastSeenAt,
    long? AppliedVersion,
    string? ApplyError);

/// <summary>What an agent presents at enrollment, with the credential the server made for it (hash only).</summary>
public sealed record Enrollment(string TokenHash, EndpointRegistration Endpoint, string AgentId, string SecretHash, string AgentVersion);

/// <summary>The new agent, or why not: <see cref="Errors"/> name the request fields outside the token's scope.</summary>
public sealed record EnrollmentOutcome(AgentRecord? Agent, EnrollmentRefusal Refusal, IReadOnlyList<FieldError> Errors)
{
    /// <summary>The endpoint's agents that this enrollment revoked (a re-enrollment replaces them); usually none.</summary>
    public IReadOnlyList<string> Replaced { get; init; } = [];
}

public enum EnrollmentRefusal
{
    None,

    /// <summary>Unknown, expired, revoked, or single-use and already used: the agent cannot tell which, on purpose.</summary>
    TokenNotUsable,

    /// <summary>The hostname, an address or a tag is outside the token's scope.</summary>
    OutsideScope,
}
