using Orchestrator.Core.Endpoints;

namespace Orchestrator.Data.Agents;

public interface IAgentStore
{
    Task<EnrollmentTokenRecord> CreateTokenAsync(
        string name, string tokenHash, bool singleUse, DateTimeOffset expiresAt, EnrollmentScope scope, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<EnrollmentTokenRecord>> ListTokensAsync(CancellationToken cancellationToken = default);

    Task<bool> RevokeTokenAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: checks the token and its scope, creates the endpoint — or, only when an administrator marked
    /// the endpoint with that hostname re-enrollable, takes it over (using the mark up and revoking its earlier agents)
    /// — and records the new agent. Enrolling as an existing unmarked endpoint, or with an address another endpoint
    /// holds, throws <see cref="ConflictException"/>.
    /// </summary>
    Task<EnrollmentOutcome> EnrollAsync(Enrollment enrollment, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<AgentRecord?> GetAsync(string agentId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AgentRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The agents of the given endpoints (revoked ones included), in one read: a run's page reads its members'
    /// agents, not the whole fleet's.</summary>
    Task<IReadOnlyList<AgentRecord>> ListForEndpointsAsync(IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default);

    /// <summary>For each given endpoint that has a non-revoked agent, the latest last-seen time of those agents (null when
    /// none has called yet); endpoints without one are left out. One read however many members a run has.</summary>
    Task<IReadOnlyDictionary<long, DateTimeOffset?>> LastSeenOfEndpointsAsync(
        IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default);

    Task TouchAsync(string agentId, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<bool> RotateAsync(string agentId, string secretHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<bool> RevokeAsync(string agentId, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);
}
