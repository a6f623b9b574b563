namespace Orchestrator.Data.Agents;

public interface IAgentStore
{
    Task<EnrollmentTokenRecord> CreateTokenAsync(string name, string tokenHash, bool singleUse, DateTimeOffset expiresAt, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<EnrollmentTokenRecord>> ListTokensAsync(CancellationToken cancellationToken = default);

    Task<bool> RevokeTokenAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: checks the token, links the agent to the endpoint with the same hostname (or creates it),
    /// revokes any earlier agent of that endpoint and records the new one.
    /// </summary>
    Task<(AgentRecord? Agent, EnrollmentRefusal Refusal)> EnrollAsync(Enrollment enrollment, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<AgentRecord?> GetAsync(string agentId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AgentRecord>> ListAsync(CancellationToken cancellationToken = default);

    Task TouchAsync(string agentId, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<bool> RotateAsync(string agentId, string secretHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<bool> RevokeAsync(string agentId, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);
}
