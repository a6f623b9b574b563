using System.Data;
using System.Data.Common;
using System.Net;
using Dapper;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Endpoints;
using static Orchestrator.Data.Storage.AgentRows;

namespace Orchestrator.Data.Storage;

/// <summary>The agent and enrollment statements whose SQL is the same in both dialects (docs/decisions.md, "Shared Dapper
/// statements"); each backend keeps token creation, the endpoint lock, list filters and collation.</summary>
internal static class AgentQueries
{
    internal const string TokenColumns =
        """
        id AS Id, name AS Name, single_use AS SingleUse, created_at AS CreatedAt, expires_at AS ExpiresAt, used_at AS UsedAt, uses AS Uses,
        revoked_at AS RevokedAt, hostname_pattern AS HostnamePattern, address_cidrs AS AddressCidrs, granted_tags AS GrantedTags
        """;

    internal const string AgentColumns =
        """
        a.id AS Id, a.endpoint_id AS EndpointId, e.hostname AS Hostname, a.secret_hash AS SecretHash, a.agent_version AS AgentVersion,
        a.enrolled_at AS EnrolledAt, a.rotated_at AS RotatedAt, a.revoked_at AS RevokedAt, a.last_seen_at AS LastSeenAt,
        a.applied_version AS AppliedVersion, a.apply_error AS ApplyError
        """;

    public static async Task<IReadOnlyList<EnrollmentTokenRecord>> ListTokensAsync(IDbConnection connection) =>
        (await connection.QueryAsync<TokenRow>($"SELECT {TokenColumns} FROM enrollment_tokens ORDER BY id")).Select(r => r.ToRecord()).ToList();

    public static async Task<bool> RevokeTokenAsync(DbConnection connection, long id, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
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

    /// <summary>
    /// Claims one use of the enrollment's token by the same UPDATE that checks it: a second agent racing for a single-use
    /// token cannot also win (on PostgreSQL it waits for the first one's row lock and then no longer matches). Any
    /// refusal, here or after, rolls the claim back with the rest of the caller's transaction.
    /// </summary>
    /// <returns>The token, or the refusal when it is not usable or the registration lies outside its scope.</returns>
    public static async Task<(TokenRow? Token, EnrollmentOutcome? Refusal)> ClaimTokenAsync(IDbConnection connection, IDbTransaction transaction, Enrollment enrollment, long at)
    {
        var token = await connection.QuerySingleOrDefaultAsync<TokenRow>(
            $"""
            UPDATE enrollment_tokens SET uses = uses + 1, used_at = COALESCE(used_at, @at)
            WHERE token_hash = @hash AND revoked_at IS NULL AND expires_at > @at AND (single_use = 0 OR uses = 0)
            RETURNING {TokenColumns}
            """,
            new { hash = enrollment.TokenHash, at }, transaction);
        if (token is null)
        {
            return (null, new EnrollmentOutcome(null, EnrollmentRefusal.TokenNotUsable, []));
        }

        var registration = enrollment.Endpoint;
        var outside = token.ToRecord().Scope.Check(registration.Hostname, registration.Addresses.Select(IPAddress.Parse).ToList(), registration.Tags);
        return outside.Count > 0 ? (null, new EnrollmentOutcome(null, EnrollmentRefusal.OutsideScope, outside)) : (token, null);
    }

    /// <summary>
    /// Enrolling as an endpoint that exists (ops registered it, or an agent enrolled as it) would lock its agent out and
    /// put the caller's addresses in its peers' allow-lists: only an administrator's one-shot mark allows it, and the
    /// enrollment uses the mark up. Returns the endpoint that exists, if one does.
    /// </summary>
    public static async Task<ExistingEndpointRow?> TakeOverEndpointAsync(IDbConnection connection, IDbTransaction transaction, string hostname, long at)
    {
        var existing = await connection.QuerySingleOrDefaultAsync<ExistingEndpointRow>(
            "SELECT id AS Id, hostname AS Hostname, source AS Source, reenroll_until AS ReEnrollUntil FROM endpoints WHERE lower(hostname) = lower(@hostname)",
            new { hostname }, transaction);
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

        return existing;
    }

    /// <summary>The enrolled agent on its endpoint, replacing (revoking) the endpoint's agent of before, audited; its
    /// outcome names the agents it replaced.</summary>
    public static async Task<EnrollmentOutcome> AddAgentAsync(
        IDbConnection connection, IDbTransaction transaction, Enrollment enrollment, long endpointId, long tokenId, bool reEnrolled, string actor, DateTimeOffset now)
    {
        var at = UnixMs.From(now);
        var replaced = (await connection.QueryAsync<string>(
            "UPDATE agents SET revoked_at = @at WHERE endpoint_id = @endpointId AND revoked_at IS NULL RETURNING id",
            new { endpointId, at }, transaction)).ToList();
        await connection.ExecuteAsync(
            """
            INSERT INTO agents (id, endpoint_id, secret_hash, token_id, agent_version, enrolled_at, last_seen_at)
            VALUES (@AgentId, @endpointId, @SecretHash, @tokenId, @AgentVersion, @at, @at)
            """,
            new { enrollment.AgentId, endpointId, enrollment.SecretHash, tokenId, enrollment.AgentVersion, at }, transaction);
        await AuditQueries.WriteAsync(connection, transaction, now, actor, "agent", enrollment.AgentId, reEnrolled ? "re-enrolled" : "enrolled",
            new { endpointId, hostname = enrollment.Endpoint.Hostname, tokenId, replaced });
        return new(await GetAsync(connection, enrollment.AgentId, transaction), EnrollmentRefusal.None, []) { Replaced = replaced };
    }

    public static async Task<AgentRecord?> GetAsync(IDbConnection connection, string agentId, IDbTransaction? transaction) =>
        (await connection.QuerySingleOrDefaultAsync<AgentRow>(
            $"SELECT {AgentColumns} FROM agents a JOIN endpoints e ON e.id = a.endpoint_id WHERE a.id = @agentId", new { agentId }, transaction))?.ToRecord();

    public static Task TouchAsync(IDbConnection connection, string agentId, DateTimeOffset now) =>
        connection.ExecuteAsync("UPDATE agents SET last_seen_at = @at WHERE id = @agentId", new { agentId, at = UnixMs.From(now) });

    public static async Task<bool> RotateAsync(DbConnection connection, string agentId, string secretHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
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

    public static async Task<bool> RevokeAsync(DbConnection connection, string agentId, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
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
}
