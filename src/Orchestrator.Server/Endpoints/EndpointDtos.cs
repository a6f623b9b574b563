using Orchestrator.Data.Endpoints;

namespace Orchestrator.Server.Endpoints;

public sealed record EndpointRequest(string? Hostname, IReadOnlyList<string>? Addresses, string? Os, IReadOnlyList<string>? Tags);

public sealed record EndpointResponse(
    long Id, string Hostname, IReadOnlyList<string> Addresses, string Os, IReadOnlyList<string> Tags, string Source,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastSeenAt, DateTimeOffset? ReEnrollableUntil)
{
    public static EndpointResponse From(EndpointRecord e) =>
        new(e.Id, e.Hostname, e.Addresses, e.Os, e.Tags, e.Source, e.CreatedAt, e.UpdatedAt, e.LastSeenAt, e.ReEnrollableUntil);
}

/// <summary><c>expiresIn</c>: how long the mark stays usable, an ISO-8601 duration (default P1D, at most P30D).</summary>
public sealed record ReEnrollableRequest(string? ExpiresIn);

public sealed record ImportResponse(int Created, int Updated, IReadOnlyList<EndpointResponse> Endpoints);
