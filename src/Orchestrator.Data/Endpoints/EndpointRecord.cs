namespace Orchestrator.Data.Endpoints;

public sealed record EndpointRecord(
    long Id,
    string Hostname,
    IReadOnlyList<string> Addresses,
    string Os,
    IReadOnlyList<string> Tags,
    string Source,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastSeenAt,
    DateTimeOffset? ReEnrollableUntil = null);

/// <summary>What an operator or an import says about an endpoint.</summary>
public sealed record EndpointRegistration(string Hostname, IReadOnlyList<string> Addresses, string Os, IReadOnlyList<string> Tags);

/// <summary>Every endpoint as of one catalog version (see <see cref="IEndpointStore.ListIfChangedAsync"/>).</summary>
public sealed record EndpointCatalog(long Version, IReadOnlyList<EndpointRecord> Endpoints);
