using System.Threading.RateLimiting;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Access;

/// <summary>
/// Agent limits, applied by <see cref="Agents.AgentAuthentication"/> once it knows the outcome: an authenticated agent
/// spends its own budget (by agent id), a refused credential spends its client address's budget. Partitioning by the claimed agent id before
/// authentication let anyone who knew an agent's id spend that agent's budget with a wrong secret and lock it out.
/// </summary>
internal sealed class AgentRateLimiter(Microsoft.Extensions.Options.IOptions<OrchestratorOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _agents = PerMinute(options.Value.AgentRequestsPerMinute);
    private readonly PartitionedRateLimiter<string> _refused = PerMinute(options.Value.AgentRefusedAttemptsPerMinute);

    /// <summary>Null when the agent may go on; otherwise how long it should wait.</summary>
    public TimeSpan? Authenticated(string agentId) => Take(_agents, agentId);

    /// <summary>Null when the client may be told "refused" (401); otherwise it is over its budget of refusals (429).</summary>
    public TimeSpan? Refused(HttpContext http) => Take(_refused, http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    public void Dispose()
    {
        _agents.Dispose();
        _refused.Dispose();
    }

    private static TimeSpan? Take(PartitionedRateLimiter<string> limiter, string partition)
    {
        using var lease = limiter.AttemptAcquire(partition);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
    }

    private static PartitionedRateLimiter<string> PerMinute(int permits) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
}
