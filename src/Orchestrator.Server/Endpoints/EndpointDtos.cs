using Orchestrator.Data.Endpoints;

namespace Orchestrator.Server.Endpoints;

public sealed record EndpointRequest(string? Hostname, IReadOnlyList<string>? Addresses, string? Os, IReadOnlyList<string>? Tags);

public sealed record EndpointResponse(
    long Id, string Hostname, IReadOnlyList<string> Addresses, string Os, IReadOnlyList<string> Tags, string Source,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastSeenAt, DateTimeOffset? ReEnrollableUntil)
{
    /// <param name="agentLastSeen">When the endpoint's agent last called, if it has one: the later of that and the
    /// endpoint's own time is its last-seen time.</param>
    public static EndpointResponse From(EndpointRecord e, DateTimeOffset? agentLastSeen = null) =>
        new(e.Id, e.Hostname, e.Addresses, e.Os, e.Tags, e.Source, e.CreatedAt, e.UpdatedAt, Later(e.LastSeenAt, agentLastSeen), e.ReEnrollableUntil);

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a > b ? a : b);
}

/// <summary><c>expiresIn</c>: how long the mark stays usable, an ISO-8601 duration (default P1D, at most P30D).</summary>
public sealed record ReEnrollableRequest(string? ExpiresIn);

public sealed record ImportResponse(int Created, int Updated, IReadOnlyList<EndpointResponse> Endpoints);
