namespace Orchestrator.Data.Access;

public interface IApiKeyStore
{
    /// <exception cref="ConflictException">an active key has the name.</exception>
    Task<ApiKeyRecord> CreateAsync(string name, string keyHash, Role role, DateTimeOffset? expiresAt, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The active (not revoked, not expired) key with this hash; records its use.</summary>
    Task<ApiKeyRecord?> FindActiveAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <exception cref="ConflictException">it is the last active admin key.</exception>
    Task<bool> RevokeAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<bool> AnyAsync(CancellationToken cancellationToken = default);
}
