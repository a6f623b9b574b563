using System.Data;
using System.Net;
using Dapper;
using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteAgentStore(SqliteDatabase database) : IAgentStore
{
    private const string TokenColumns =
        """
        id AS Id, name AS Name, single_use AS SingleUse, created_at AS CreatedAt, expires_at AS ExpiresAt, used_at AS UsedAt, uses AS Uses,
        revoked_at AS RevokedAt, hostname_pattern AS HostnamePattern, address_cidrs AS AddressCidrs, granted_tags AS GrantedTags
        """;

    private const string AgentColumns =
        """
        a.id AS Id, a.endpoint_id AS EndpointId, e.hostname AS Hostname, a.secret_hash AS SecretHash, a.agent_version AS AgentVersion,
        a.enrolled_at AS EnrolledAt, a.rotated_at AS RotatedAt, a.revoked_at AS RevokedAt, a.last_seen_at AS LastSeenAt,
        a.applied_version AS AppliedVersion, a.apply_error AS ApplyError
        """;

    public async Task<EnrollmentTokenRecord> CreateTokenAsync(
        string name, string tokenHash, bool singleUse, DateTimeOffset expiresAt, EnrollmentScope scope, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO enrollment_tokens (name, token_hash, single_use, created_at, expires_at, hostname_pattern, address_cidrs, granted_tags)
            VALUES (@name, @tokenHash, @singleUse, @now, @expires, @pattern, @cidrs, @tags) RETURNING id
            """,
            new
            {
                name, tokenHash, singleUse = singleUse ? 1 : 0, now = UnixMs.From(now), expires = UnixMs.From(expiresAt),
                pattern = scope.HostnamePattern, cidrs = scope.AddressCidrs is null ? null : Json.Write(scope.AddressCidrs), tags = Json.Write(scope.Tags),
            },
            transaction);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "enrollment-token", id, "created", new { name, singleUse, expiresAt, scope });
        var row = await connection.QuerySingleAsync<TokenRow>($"SELECT {TokenColumns} FROM enrollment_tokens WHERE id = @id", new { id }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return row.ToRecord();
    }

    public async Task<IReadOnlyList<EnrollmentTokenRecord>> ListTokensAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<TokenRow>($"SELECT {TokenColumns} FROM enrollment_tokens ORDER BY id")).Select(r => r.ToRecord()).ToList();
    }

    public async Task<bool> RevokeTokenAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            "UPDATE enrollment_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL", new { id, now = UnixMs.From(now) }, transaction);
        if (changed > 0)
        {
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "enrollment-token", id, "revoked");
        }

        await transaction.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task<EnrollmentOutcome> EnrollAsync(Enrollment enrollment, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(enrollment);
        var at = UnixMs.From(now);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The use is claimed by the same UPDATE that checks the token, so two agents racing for a single-use
        // token cannot both win. Any refusal below rolls the claim back with the rest.
        var token = await connection.QuerySingleOrDefaultAsync<TokenRow>(
            $"""
            UPDATE enrollment_tokens SET uses = uses + 1, used_at = COALESCE(used_at, @at)
            WHERE token_hash = @hash AND revoked_at IS NULL AND expires_at > @at AND (single_use = 0 OR uses = 0)
            RETURNING {TokenColumns}
            """,
            new { hash = enrollment.TokenHash, at }, transaction);
        if (token is null)
        {
            return new(null, EnrollmentRefusal.TokenNotUsable, []);
        }

        var registration = enrollment.Endpoint;
        var outside = token.ToRecord().Scope.Check(registration.Hostname, registration.Addresses.Select(IPAddress.Parse).ToList(), registration.Tags);
        if (outside.Count > 0)
        {
            return new(null, EnrollmentRefusal.OutsideScope, outside);
        }

        // Enrolling as an endpoint that exists (ops registered it, or an agent enrolled as it) would lock its agent out
        // and put the caller's addresses in its peers' allow-lists: only an administrator's one-shot mark allows it.
        var existing = await connection.QuerySingleOrDefaultAsync<ExistingEndpointRow>(
            "SELECT id AS Id, hostname AS Hostname, source AS Source, reenroll_until AS ReEnrollUntil FROM endpoints WHERE lower(hostname) = lower(@Hostname)",
            new { registration.Hostname }, transaction);
        if (existing is not null)
        {
            if (existing.ReEnrollUntil is not { } until || until <= at)
            {
                var hasAgent = await connection.ExecuteScalarAsync<long>(
                    "SELECT count(*) FROM agents WHERE endpoint_id = @Id", new { existing.Id }, transaction) > 0;
                throw new ConflictException(
                    $"hostname: endpoint '{existing.Hostname}' (id {existing.Id}) already exists ({(hasAgent ? "an agent enrolled as it" : $"registered by {existing.Source}")}); " +
                    $"enrolling as it needs an administrator to mark it re-enrollable first (POST /api/v1/endpoints/{existing.Id}/re-enrollable, or: orchestrator endpoints re-enrollable {existing.Hostname})");
            }

            await connection.ExecuteAsync("UPDATE endpoints SET reenroll_until = NULL WHERE id = @Id", new { existing.Id }, transaction);
        }

        var actor = $"agent:{enrollment.AgentId}";
        var (endpointId, _) = await SqliteEndpointStore.UpsertAsync(connection, transaction, registration, "agent", actor, now, mergeTags: true);
        var replaced = (await connection.QueryAsync<string>(
            "UPDATE agents SET revoked_at = @at WHERE endpoint_id = @endpointId AND revoked_at IS NULL RETURNING id",
            new { endpointId, at }, transaction)).ToList();
        await connection.ExecuteAsync(
            """
            INSERT INTO agents (id, endpoint_id, secret_hash, token_id, agent_version, enrolled_at, last_seen_at)
            VALUES (@AgentId, @endpointId, @SecretHash, @tokenId, @AgentVersion, @at, @at)
            """,
            new { enrollment.AgentId, endpointId, enrollment.SecretHash, tokenId = token.Id, enrollment.AgentVersion, at }, transaction);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "agent", enrollment.AgentId, existing is null ? "enrolled" : "re-enrolled",
            new { endpointId, hostname = registration.Hostname, tokenId = token.Id, replaced });
        var agent = await GetAsync(connection, enrollment.AgentId, transaction);
        await transaction.CommitAsync(cancellationToken);
        return new(agent, EnrollmentRefusal.None, []);
    }

    public async Task<AgentRecord?> GetAsync(string agentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GetAsync(connection, agentId, null);
    }

    public async Task<IReadOnlyList<AgentRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<AgentRow>(
                $"SELECT {AgentColumns} FROM agents a JOIN endpoints e ON e.id = a.endpoint_id ORDER BY lower(e.hostname), a.enrolled_at"))
            .Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<AgentRecord>> ListForEndpointsAsync(IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<AgentRow>(
                $"""
                SELECT {AgentColumns} FROM agents a JOIN endpoints e ON e.id = a.endpoint_id
                WHERE a.endpoint_id IN (SELECT value FROM json_each(@endpointIds))
                ORDER BY lower(e.hostname), a.enrolled_at
                """,
                new { endpointIds = Json.Write(endpointIds) }))
            .Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyDictionary<long, DateTimeOffset?>> LastSeenOfEndpointsAsync(
        IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long EndpointId, long? LastSeenAt)>(
            """
            SELECT endpoint_id, MAX(last_seen_at) FROM agents
            WHERE revoked_at IS NULL AND endpoint_id IN (SELECT value FROM json_each(@endpointIds))
            GROUP BY endpoint_id
            """,
            new { endpointIds = Json.Write(endpointIds) });
        return rows.ToDictionary(r => r.EndpointId, r => UnixMs.To(r.LastSeenAt));
    }

    public async Task TouchAsync(string agentId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE agents SET last_seen_at = @at WHERE id = @agentId", new { agentId, at = UnixMs.From(now) });
    }

    public async Task<bool> RotateAsync(string agentId, string secretHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            "UPDATE agents SET secret_hash = @secretHash, rotated_at = @at WHERE id = @agentId AND revoked_at IS NULL",
            new { agentId, secretHash, at = UnixMs.From(now) }, transaction);
        if (changed > 0)
        {
            await AuditQueries.WriteAsync(connection, transaction, now, $"agent:{agentId}", "agent", agentId, "secret rotated");
        }

        await transaction.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task<bool> RevokeAsync(string agentId, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            "UPDATE agents SET revoked_at = @at WHERE id = @agentId AND revoked_at IS NULL", new { agentId, at = UnixMs.From(now) }, transaction);
        if (changed > 0)
        {
            await AuditQueries.WriteAsync(connection, transaction, now, actor, "agent", agentId, "revoked");
        }

        await transaction.CommitAsync(cancellationToken);
        return changed > 0;
    }

    private static async Task<AgentRecord?> GetAsync(IDbConnection connection, string agentId, IDbTransaction? transaction) =>
        (await connection.QuerySingleOrDefaultAsync<AgentRow>(
            $"SELECT {AgentColumns} FROM agents a JOIN endpoints e ON e.id = a.endpoint_id WHERE a.id = @agentId", new { agentId }, transaction))?.ToRecord();

    private sealed record TokenRow(
        long Id, string Name, long SingleUse, long CreatedAt, long ExpiresAt, long? UsedAt, long Uses, long? RevokedAt,
        string? HostnamePattern, string? AddressCidrs, string GrantedTags)
    {
        public EnrollmentTokenRecord ToRecord() => new(
            Id, Name, SingleUse != 0, UnixMs.To(CreatedAt), UnixMs.To(ExpiresAt), UnixMs.To(UsedAt), (int)Uses, UnixMs.To(RevokedAt),
            new EnrollmentScope(HostnamePattern, AddressCidrs is null ? null : Json.Read<string[]>(AddressCidrs), Json.Read<string[]>(GrantedTags)));
    }

    private sealed record ExistingEndpointRow(long Id, string Hostname, string Source, long? ReEnrollUntil);

    private sealed record AgentRow(
        string Id, long EndpointId, string Hostname, string SecretHash, string AgentVersion, long EnrolledAt, long? RotatedAt, long? RevokedAt,
        long? LastSeenAt, long? AppliedVersion, string? ApplyError)
    {
        public AgentRecord ToRecord() => new(
            Id, EndpointId, Hostname, SecretHash, AgentVersion, UnixMs.To(EnrolledAt), UnixMs.To(RotatedAt), UnixMs.To(RevokedAt),
            UnixMs.To(LastSeenAt), AppliedVersion, ApplyError);
    }
}
