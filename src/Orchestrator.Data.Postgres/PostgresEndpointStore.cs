using System.Data;
using System.Data.Common;
using Dapper;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Storage;
using static Orchestrator.Data.Storage.EndpointRows;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresEndpointStore(PostgresDatabase database) : IEndpointStore
{
    // lower() in the C collation sorts as SQLite's lower() does (byte order), whatever the database's collation.
    private const string ByHostname = "ORDER BY lower(hostname) COLLATE \"C\"";

    public async Task<(EndpointRecord Endpoint, bool Created)> UpsertAsync(EndpointRegistration registration, string source, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return (await UpsertAllAsync([registration], source, actor, now, cancellationToken))[0];
    }

    public async Task<IReadOnlyList<(EndpointRecord Endpoint, bool Created)>> UpsertAllAsync(
        IReadOnlyList<EndpointRegistration> registrations, string source, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await EndpointQueries.UpsertAllAsync(connection, registrations, source, actor, now, Dialect.Instance, cancellationToken);
    }

    /// <summary><see cref="EndpointQueries.UpsertAsync"/> inside the caller's transaction (enrollment uses it).</summary>
    internal static Task<(long Id, bool Created)> UpsertAsync(
        IDbConnection connection, IDbTransaction transaction, EndpointRegistration registration, string source, string actor, DateTimeOffset now, bool mergeTags) =>
        EndpointQueries.UpsertAsync(connection, transaction, registration, source, actor, now, mergeTags, Dialect.Instance);

    public async Task<bool> SetReEnrollableAsync(long id, DateTimeOffset? until, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await EndpointQueries.SetReEnrollableAsync(connection, id, until, actor, now, cancellationToken);
    }

    public async Task<EndpointRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await EndpointQueries.GetAsync(connection, id, null);
    }

    public async Task<IReadOnlyList<EndpointRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await EndpointQueries.ListAsync(connection, ByHostname);
    }

    public async Task<EndpointCatalog?> ListIfChangedAsync(long knownVersion, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // REPEATABLE READ: one snapshot for the whole transaction (READ COMMITTED would take one per statement).
        return await EndpointQueries.ListIfChangedAsync(
            connection, knownVersion, ByHostname, async () => await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken), cancellationToken);
    }

    public async Task<long> CatalogVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await EndpointQueries.CatalogVersionAsync(connection);
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await EndpointQueries.DeleteAsync(connection, id, actor, now, Dialect.Instance, cancellationToken);
    }

    /// <summary>Endpoint writes take <see cref="AdvisoryLocks.Endpoints"/> first, so two nodes cannot both find an address
    /// or hostname free and both take it; the address index takes arrays.</summary>
    private sealed class Dialect : IEndpointDialect
    {
        public static readonly Dialect Instance = new();

        public Task LockForWriteAsync(IDbConnection connection, IDbTransaction transaction) =>
            AdvisoryLocks.TakeAsync(connection, transaction, AdvisoryLocks.Endpoints);

        public async Task LockForDeleteAsync(IDbConnection connection, IDbTransaction transaction, long id)
        {
            await AdvisoryLocks.TakeAsync(connection, transaction, AdvisoryLocks.Endpoints);
            // The row lock keeps a run from freezing this endpoint as a member while it is being deleted (the member row's
            // foreign key waits for it, then fails), and the checks after it see every run frozen before.
            await connection.ExecuteAsync("SELECT id FROM endpoints WHERE id = @id FOR UPDATE", new { id }, transaction);
        }

        public Task<IEnumerable<HolderRow>> HoldersAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyList<string> addresses, long? self) =>
            connection.QueryAsync<HolderRow>(
                """
                SELECT a.address AS Address, e.id AS Id, e.hostname AS Hostname FROM endpoint_addresses a JOIN endpoints e ON e.id = a.endpoint_id
                WHERE a.address = ANY(@addresses) AND a.endpoint_id IS DISTINCT FROM @self ORDER BY e.id
                """,
                new { addresses = addresses.ToArray(), self }, transaction);

        public Task IndexAddressesAsync(IDbConnection connection, IDbTransaction transaction, long id, IReadOnlyList<string> addresses) =>
            connection.ExecuteAsync(
                "INSERT INTO endpoint_addresses (address, endpoint_id) SELECT DISTINCT a, @id FROM unnest(@addresses) AS a ON CONFLICT DO NOTHING",
                new { id, addresses = addresses.ToArray() }, transaction);
    }
}
