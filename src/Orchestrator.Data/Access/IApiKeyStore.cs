namespace Orchestrator.Data.Access;

public interface IApiKeyStore
{
    /// <exception cref="ConflictException">an active key has the name.</exception>
    Task<ApiKeyRecord> CreateAsync(string name, string keyHash, Role role, DateTimeOffset? expiresAt, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The active (not revoked, not expired) key with this hash; records its use.</summary>
    Task<ApiKeyRecord?> FindActiveAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The key with this id if it is active (not revoked, not expired) at <paramref name="now"/>: a signed-in
    /// session checks its key with this on every request. Does not record a use.</summary>
    Task<ApiKeyRecord?> GetActiveAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Gives an active key another role; null when no active key has the id.</summary>
    /// <exception cref="ConflictException">it would take the role from the last active admin key.</exception>
    Task<ApiKeyRecord?> ChangeRoleAsync(long id, Role role, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <exception cref="ConflictException">it is the last active admin key.</exception>
    Task<bool> RevokeAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<bool> AnyAsync(CancellationToken cancellationToken = default);
}
