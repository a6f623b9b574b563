using Orchestrator.Data.Agents;

namespace Orchestrator.Server.Agents;

/// <summary>
/// <c>expiresIn</c> is an ISO-8601 duration (default P1D, at most P365D). The scope: <c>hostnamePattern</c> ('*' for any
/// run of host name characters; default any), <c>addressCidrs</c> (default any address), <c>tags</c> the token grants
/// (default none: an agent asking for a tag the token does not grant is refused).
/// </summary>
public sealed record EnrollmentTokenRequest(
    string? Name, string? ExpiresIn, bool? SingleUse, string? HostnamePattern = null, IReadOnlyList<string>? AddressCidrs = null, IReadOnlyList<string>? Tags = null);

/// <summary>The token itself appears only in the answer to its creation.</summary>
public sealed record EnrollmentTokenResponse(
    long Id, string Name, string? Token, bool SingleUse, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int Uses, DateTimeOffset? RevokedAt,
    string? HostnamePattern, IReadOnlyList<string>? AddressCidrs, IReadOnlyList<string> Tags)
{
    public static EnrollmentTokenResponse From(EnrollmentTokenRecord t, string? token = null) =>
        new(t.Id, t.Name, token, t.SingleUse, t.CreatedAt, t.ExpiresAt, t.Uses, t.RevokedAt, t.Scope.HostnamePattern, t.Scope.AddressCidrs, t.Scope.Tags);
}

/// <summary>An enrolled agent. <see cref="Online"/>: it called within the offline threshold. <see cref="AppliedVersion"/>:
/// the desired-state version it last applied, as a decimal string (a 64-bit value beyond JSON's safe integer range
/// 2^53, which a JavaScript client would round).</summary>
public sealed record AgentResponse(
    string AgentId, long EndpointId, string Hostname, string AgentVersion, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeenAt,
    bool Online, bool Revoked, string? AppliedVersion, string? ApplyError);
