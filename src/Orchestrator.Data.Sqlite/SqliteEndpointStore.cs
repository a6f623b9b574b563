using System.Data;
using System.Data.Common;
using Dapper;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Storage;
using static Orchestrator.Data.Storage.EndpointRows;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteEndpointStore(SqliteDatabase database) : IEndpointStore
{
    private const string ByHostname = "ORDER BY lower(hostname)";

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
        // A deferred transaction only reads, from one snapshot: it neither takes nor waits for the write lock.
        return await EndpointQueries.ListIfChangedAsync(
            connection, knownVersion, ByHostname, () => Task.FromResult<DbTransaction>(connection.BeginTransaction(deferred: true)), cancellationToken);
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

    /// <summary>SQLite runs one writer at a time, so endpoint writes need no lock of their own.</summary>
    private sealed class Dialect : IEndpointDialect
    {
        public static readonly Dialect Instance = new();

        public Task LockForWriteAsync(IDbConnection connection, IDbTransaction transaction) => Task.CompletedTask;

        public Task LockForDeleteAsync(IDbConnection connection, IDbTransaction transaction, long id) => Task.CompletedTask;

        public Task<IEnumerable<HolderRow>> HoldersAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyList<string> addresses, long? self) =>
            connection.QueryAsync<HolderRow>(
                """
                SELECT a.address AS Address, e.id AS Id, e.hostname AS Hostname FROM endpoint_addresses a JOIN endpoints e ON e.id = a.endpoint_id
                WHERE a.address IN @addresses AND a.endpoint_id IS NOT @self ORDER BY e.id
                """,
                new { addresses, self }, transaction);

        public Task IndexAddressesAsync(IDbConnection connection, IDbTransaction transaction, long id, IReadOnlyList<string> addresses) =>
            connection.ExecuteAsync(
                "INSERT OR IGNORE INTO endpoint_addresses (address, endpoint_id) VALUES (@address, @id)",
                addresses.Select(address => new { address, id }), transaction);
    }
}
