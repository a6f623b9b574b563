namespace Orchestrator.Data.Endpoints;

public interface IEndpointStore
{
    /// <summary>Creates the endpoint, or updates the one with the same hostname (case-insensitive).</summary>
    Task<(EndpointRecord Endpoint, bool Created)> UpsertAsync(EndpointRegistration registration, string source, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<EndpointRecord?> GetAsync(long id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<EndpointRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Every endpoint with the catalog version it was read at (one snapshot), or null when the version is still
    /// <paramref name="knownVersion"/>. The version moves with every change to a hostname, address, os or tag.
    /// </summary>
    Task<EndpointCatalog?> ListIfChangedAsync(long knownVersion, CancellationToken cancellationToken = default);

    Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);
}
