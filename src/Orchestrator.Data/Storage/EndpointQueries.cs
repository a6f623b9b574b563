using System.Data;
using System.Data.Common;
using Dapper;
using Orchestrator.Data.Endpoints;
using static Orchestrator.Data.Storage.EndpointRows;

namespace Orchestrator.Data.Storage;

/// <summary>The endpoint statements whose SQL is the same in both dialects (docs/decisions.md, "Shared Dapper
/// statements"); what differs is behind <see cref="IEndpointDialect"/>, and each backend keeps its list queries.</summary>
internal static class EndpointQueries
{
    internal const string Columns =
        "id AS Id, hostname AS Hostname, addresses AS Addresses, os AS Os, tags AS Tags, source AS Source, created_at AS CreatedAt, updated_at AS UpdatedAt, last_seen_at AS LastSeenAt, reenroll_until AS ReEnrollableUntil";

    public static async Task<IReadOnlyList<(EndpointRecord Endpoint, bool Created)>> UpsertAllAsync(
        DbConnection connection, IReadOnlyList<EndpointRegistration> registrations, string source, string actor, DateTimeOffset now, IEndpointDialect dialect, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var results = new List<(EndpointRecord, bool)>(registrations.Count);
        foreach (var registration in registrations)
        {
            var (id, created) = await UpsertAsync(connection, transaction, registration, source, actor, now, mergeTags: false, dialect);
            results.Add(((await GetAsync(connection, id, transaction))!, created));
        }

        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>
    /// Creates or updates by hostname inside the caller's transaction (enrollment uses it too). An address another
    /// endpoint holds is refused with the holder named; the addresses of a member of an open run do not change (its
    /// peers' allow-lists were computed from them); every change of an existing endpoint's addresses is audited with
    /// the old and new list (a creation's own row has them).
    /// </summary>
    /// <param name="mergeTags">Keep the tags already set (by operators) and add the new ones, instead of replacing them.</param>
    public static async Task<(long Id, bool Created)> UpsertAsync(
        IDbConnection connection, IDbTransaction transaction, EndpointRegistration registration, string source, string actor, DateTimeOffset now, bool mergeTags,
        IEndpointDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(registration);
        await dialect.LockForWriteAsync(connection, transaction);
        var existing = await connection.QuerySingleOrDefaultAsync<ExistingRow>(
            "SELECT id AS Id, hostname AS Hostname, tags AS Tags, addresses AS Addresses FROM endpoints WHERE lower(hostname) = lower(@Hostname)",
            new { registration.Hostname }, transaction);
        RefuseHeldAddresses(registration.Addresses, (await dialect.HoldersAsync(connection, transaction, registration.Addresses, existing?.Id)).ToList());
        var oldAddresses = existing is null ? [] : Json.Read<string[]>(existing.Addresses);
        var addressesChanged = !oldAddresses.SequenceEqual(registration.Addresses, StringComparer.Ordinal);
        if (existing is not null && addressesChanged)
        {
            await RefuseWhileInOpenRunAsync(connection, transaction, existing);
        }

        var tags = mergeTags && existing is { } e
            ? Json.Read<string[]>(e.Tags).Union(registration.Tags, StringComparer.OrdinalIgnoreCase).ToArray()
            : registration.Tags.ToArray();
        var values = new
        {
            registration.Hostname,
            addresses = Json.Write(registration.Addresses),
            registration.Os,
            tags = Json.Write(tags),
            source,
            now = UnixMs.From(now),
        };
        long id;
        if (existing is { } found)
        {
            id = found.Id;
            await connection.ExecuteAsync(
                "UPDATE endpoints SET hostname = @Hostname, addresses = @addresses, os = @Os, tags = @tags, updated_at = @now WHERE id = @id",
                new { values.Hostname, values.addresses, values.Os, values.tags, values.now, id }, transaction);
        }
        else
        {
            id = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO endpoints (hostname, addresses, os, tags, source, created_at, updated_at)
                VALUES (@Hostname, @addresses, @Os, @tags, @source, @now, @now) RETURNING id
                """,
                values, transaction);
        }

        await connection.ExecuteAsync("DELETE FROM endpoint_addresses WHERE endpoint_id = @id", new { id }, transaction);
        await dialect.IndexAddressesAsync(connection, transaction, id, registration.Addresses);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "endpoint", id, existing is null ? "created" : "updated", registration with { Tags = tags });
        if (existing is not null && addressesChanged)
        {
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "endpoint", id, "addresses changed",
                new { hostname = registration.Hostname, oldAddresses, newAddresses = registration.Addresses, source });
        }

        return (id, existing is null);
    }

    public static async Task<bool> SetReEnrollableAsync(DbConnection connection, long id, DateTimeOffset? until, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var hostname = await connection.ExecuteScalarAsync<string?>(
            "UPDATE endpoints SET reenroll_until = @until WHERE id = @id RETURNING hostname", new { id, until = UnixMs.From(until) }, transaction);
        if (hostname is not null)
        {
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "endpoint", id,
                until is null ? "re-enrollment withdrawn" : "marked re-enrollable", new { hostname, until });
        }

        await transaction.CommitAsync(cancellationToken);
        return hostname is not null;
    }

    /// <summary>An address is one endpoint's: a second holder would put one machine in another's place in allow-lists.</summary>
    private static void RefuseHeldAddresses(IReadOnlyList<string> addresses, List<HolderRow> held)
    {
        if (held.Count > 0)
        {
            var index = addresses.ToList();
            throw new ConflictException(string.Join("; ", held.Select(h =>
                $"addresses[{index.IndexOf(h.Address)}]: {h.Address} is already an address of endpoint '{h.Hostname}' (id {h.Id}); an address belongs to one endpoint, so change or delete that endpoint first")));
        }
    }

    private static async Task RefuseWhileInOpenRunAsync(IDbConnection connection, IDbTransaction transaction, ExistingRow endpoint)
    {
        var run = await connection.QueryFirstOrDefaultAsync<long?>(
            "SELECT r.id FROM runs r JOIN run_members m ON m.run_id = r.id WHERE m.endpoint_id = @Id AND r.state IN ('Open', 'Cutoff') ORDER BY r.id",
            new { endpoint.Id }, transaction);
        if (run is { } id)
        {
            throw new ConflictException(
                $"addresses: endpoint '{endpoint.Hostname}' (id {endpoint.Id}) is a member of open run {id}, whose allow-lists were computed from its current addresses; change them after the run closes (or close it now)");
        }
    }

    public static async Task<bool> DeleteAsync(DbConnection connection, long id, string actor, DateTimeOffset now, IEndpointDialect dialect, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await dialect.LockForDeleteAsync(connection, transaction, id);
        var inRuns = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM run_members WHERE endpoint_id = @id", new { id }, transaction);
        if (inRuns > 0)
        {
            throw new ConflictException($"endpoint {id} took part in runs; its history keeps it");
        }

        if (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM agents WHERE endpoint_id = @id AND revoked_at IS NULL", new { id }, transaction) > 0)
        {
            throw new ConflictException($"endpoint {id} has an enrolled agent; revoke the agent first");
        }

        await connection.ExecuteAsync("DELETE FROM endpoint_addresses WHERE endpoint_id = @id", new { id }, transaction);
        await connection.ExecuteAsync("DELETE FROM agents WHERE endpoint_id = @id", new { id }, transaction);
        var deleted = await connection.ExecuteAsync("DELETE FROM endpoints WHERE id = @id", new { id }, transaction);
        if (deleted > 0)
        {
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "endpoint", id, "deleted");
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    /// <param name="byHostname">The ORDER BY clause by lowercased hostname: collation differs by dialect.</param>
    public static async Task<IReadOnlyList<EndpointRecord>> ListAsync(IDbConnection connection, string byHostname, IDbTransaction? transaction = null) =>
        (await connection.QueryAsync<Row>($"SELECT {Columns} FROM endpoints {byHostname}", transaction: transaction)).Select(r => r.ToRecord()).ToList();

    private const string CatalogVersion = "SELECT version FROM endpoint_catalog WHERE id = 1";

    public static Task<long> CatalogVersionAsync(IDbConnection connection) => connection.ExecuteScalarAsync<long>(CatalogVersion);

    /// <summary>Every endpoint, unless the catalog is still at <paramref name="knownVersion"/> (then null).</summary>
    /// <param name="beginSnapshot">Begins a read-only transaction that sees one snapshot for all its statements, so
    /// that a list is never cached under a version it missed (how differs by dialect).</param>
    public static async Task<EndpointCatalog?> ListIfChangedAsync(
        DbConnection connection, long knownVersion, string byHostname, Func<Task<DbTransaction>> beginSnapshot, CancellationToken cancellationToken)
    {
        if (await CatalogVersionAsync(connection) == knownVersion)
        {
            return null;
        }

        await using var transaction = await beginSnapshot();
        var version = await connection.ExecuteScalarAsync<long>(CatalogVersion, transaction: transaction);
        var endpoints = await ListAsync(connection, byHostname, transaction);
        await transaction.CommitAsync(cancellationToken);
        return new EndpointCatalog(version, endpoints);
    }

    public static async Task<EndpointRecord?> GetAsync(IDbConnection connection, long id, IDbTransaction? transaction) =>
        (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM endpoints WHERE id = @id", new { id }, transaction))?.ToRecord();
}
