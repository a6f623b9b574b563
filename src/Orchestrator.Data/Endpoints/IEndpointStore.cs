namespace Orchestrator.Data.Endpoints;

public interface IEndpointStore
{
    /// <summary>Creates the endpoint, or updates the one with the same hostname (case-insensitive).</summary>
    Task<(EndpointRecord Endpoint, bool Created)> UpsertAsync(EndpointRegistration registration, string source, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Upserts every registration in one transaction: all are stored, or (on a conflict) none.</summary>
    Task<IReadOnlyList<(EndpointRecord Endpoint, bool Created)>> UpsertAllAsync(
        IReadOnlyList<EndpointRegistration> registrations, string source, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<EndpointRecord?> GetAsync(long id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<EndpointRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Every endpoint with the catalog version it was read at (one snapshot), or null when the version is still
    /// <paramref name="knownVersion"/>. The version moves with every change to a hostname, address, os or tag.
    /// </summary>
    Task<EndpointCatalog?> ListIfChangedAsync(long knownVersion, CancellationToken cancellationToken = default);

    /// <summary>The catalog version alone (a one-row read): the version <see cref="ListIfChangedAsync"/> would read the list at now.</summary>
    Task<long> CatalogVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// An administrator's one-shot decision: the next enrollment as this endpoint (until <paramref name="until"/>) may
    /// take it over; null <paramref name="until"/> withdraws it. False when the endpoint does not exist.
    /// </summary>
    Task<bool> SetReEnrollableAsync(long id, DateTimeOffset? until, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);
}
