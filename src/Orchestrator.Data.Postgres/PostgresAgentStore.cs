using System.Data;
using Dapper;
using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Storage;
using static Orchestrator.Data.Storage.AgentRows;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresAgentStore(PostgresDatabase database) : IAgentStore
{
    public async Task<EnrollmentTokenRecord> CreateTokenAsync(
        string name, string tokenHash, bool singleUse, DateTimeOffset expiresAt, EnrollmentScope scope, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<TokenRow>(
            $"""
            INSERT INTO enrollment_tokens (name, token_hash, single_use, created_at, expires_at, hostname_pattern, address_cidrs, granted_tags)
            VALUES (@name, @tokenHash, @singleUse, @now, @expires, @pattern, @cidrs, @tags) RETURNING {AgentQueries.TokenColumns}
            """,
            new
            {
                name, tokenHash, singleUse = singleUse ? 1L : 0L, now = UnixMs.From(now), expires = UnixMs.From(expiresAt),
                pattern = scope.HostnamePattern, cidrs = scope.AddressCidrs is null ? null : Json.Write(scope.AddressCidrs), tags = Json.Write(scope.Tags),
            },
            transaction);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "enrollment-token", row.Id, "created", new { name, singleUse, expiresAt, scope });
        await transaction.CommitAsync(cancellationToken);
        return row.ToRecord();
    }

    public async Task<IReadOnlyList<EnrollmentTokenRecord>> ListTokensAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await AgentQueries.ListTokensAsync(connection);
    }

    public async Task<bool> RevokeTokenAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await AgentQueries.RevokeTokenAsync(connection, id, actor, now, cancellationToken);
    }

    public async Task<EnrollmentOutcome> EnrollAsync(Enrollment enrollment, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(enrollment);
        var at = UnixMs.From(now);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (token, refusal) = await AgentQueries.ClaimTokenAsync(connection, transaction, enrollment, at);
        if (token is null)
        {
            return refusal!;
        }

        var registration = enrollment.Endpoint;

        // The endpoint lock is taken before the check, not only around the write: two agents enrolling as one new
        // hostname on two nodes would otherwise both find it free, and the second would take over the first's endpoint
        // (regression: both enrolled, the first agent revoked). SQLite's single writer gives the same order.
        await AdvisoryLocks.TakeAsync(connection, transaction, AdvisoryLocks.Endpoints);
        var existing = await AgentQueries.TakeOverEndpointAsync(connection, transaction, registration.Hostname, at);
        var actor = $"agent:{enrollment.AgentId}";
        var (endpointId, _) = await PostgresEndpointStore.UpsertAsync(connection, transaction, registration, "agent", actor, now, mergeTags: true);
        var enrolled = await AgentQueries.AddAgentAsync(connection, transaction, enrollment, endpointId, token.Id, existing is not null, actor, now);
        await transaction.CommitAsync(cancellationToken);
        return enrolled;
    }

    public async Task<AgentRecord?> GetAsync(string agentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await AgentQueries.GetAsync(connection, agentId, null);
    }

    public async Task<IReadOnlyList<AgentRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<AgentRow>(
                $"SELECT {AgentQueries.AgentColumns} FROM agents a JOIN endpoints e ON e.id = a.endpoint_id ORDER BY lower(e.hostname) COLLATE \"C\", a.enrolled_at"))
            .Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<AgentRecord>> ListForEndpointsAsync(IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<AgentRow>(
                $"""
                SELECT {AgentQueries.AgentColumns} FROM agents a JOIN endpoints e ON e.id = a.endpoint_id
                WHERE a.endpoint_id = ANY(@endpointIds)
                ORDER BY lower(e.hostname) COLLATE "C", a.enrolled_at
                """,
                new { endpointIds = endpointIds.ToArray() }))
            .Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyDictionary<long, DateTimeOffset?>> LastSeenOfEndpointsAsync(
        IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long EndpointId, long? LastSeenAt)>(
            """
            SELECT endpoint_id, max(last_seen_at) FROM agents
            WHERE revoked_at IS NULL AND endpoint_id = ANY(@endpointIds)
            GROUP BY endpoint_id
            """,
            new { endpointIds = endpointIds.ToArray() });
        return rows.ToDictionary(r => r.EndpointId, r => UnixMs.To(r.LastSeenAt));
    }

    public async Task TouchAsync(string agentId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await AgentQueries.TouchAsync(connection, agentId, now);
    }

    public async Task<bool> RotateAsync(string agentId, string secretHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await AgentQueries.RotateAsync(connection, agentId, secretHash, now, cancellationToken);
    }

    public async Task<bool> RevokeAsync(string agentId, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await AgentQueries.RevokeAsync(connection, agentId, actor, now, cancellationToken);
    }
}
