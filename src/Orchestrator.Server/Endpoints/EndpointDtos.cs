using Orchestrator.Data.Endpoints;

namespace Orchestrator.Server.Endpoints;

public sealed record EndpointRequest(string? Hostname, IReadOnlyList<string>? Addresses, string? Os, IReadOnlyList<string>? Tags);

public sealed record EndpointResponse(
    long Id, string Hostname, IReadOnlyList<string> Addresses, string Os, IReadOnlyList<string> Tags, string Source,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastSeenAt)
{
    public static EndpointResponse From(EndpointRecord e) =>
        new(e.Id, e.Hostname, e.Addresses, e.Os, e.Tags, e.Source, e.CreatedAt, e.UpdatedAt, e.LastSeenAt);
}

public sealed record ImportResponse(int Created, int Updated, IReadOnlyList<EndpointResponse> Endpoints);
