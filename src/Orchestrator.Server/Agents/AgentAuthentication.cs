using System.Collections.Concurrent;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Signals;
using Orchestrator.Protocol;
using Orchestrator.Server.Access;

namespace Orchestrator.Server.Agents;

/// <summary>
/// Checks <c>Authorization: Agent {agentId}:{secret}</c> on every agent route (the routes marked
/// <see cref="AgentCredentialEndpoint"/>), as middleware after routing. A revoked or rotated-away secret is refused at
/// the very next call.
/// </summary>
/// <remarks>
/// Verified credentials are kept in memory (agent id → secret hash), so a long-poll or report costs no database read.
/// Every way a credential stops being valid goes through a server node (revoke, rotate, re-enrollment of the endpoint),
/// and each calls <see cref="ForgetAsync"/> or <see cref="ForgetEndpointAsync"/> before it answers: this node drops the
/// entry at once, every other node when the cluster signal reaches it (milliseconds). So that a request which reaches
/// another node in those milliseconds is not let through, the signal is sent with
/// <see cref="IClusterSignals.PublishAndSettleAsync"/> (several nodes: the answer waits 1 s), and a cached entry is
/// trusted only while <see cref="IClusterSignals.IsCaughtUp"/>: a node that has not confirmed it heard everything sent
/// before reads the record. An entry is also re-read after <see cref="VerifiedFor"/>.
/// </remarks>
internal sealed class AgentAuthentication : IDisposable
{
    /// <summary>The signal topic of <see cref="ForgetAsync"/>: keys are agent ids.</summary>
    public const string AgentTopic = "agent-credential";

    /// <summary>The signal topic of <see cref="ForgetEndpointAsync"/>: keys are endpoint ids.</summary>
    public const string EndpointTopic = "endpoint-agents";

    /// <summary>How long a verified credential is trusted before it is read again.</summary>
    public static readonly TimeSpan VerifiedFor = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, AgentSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _forgetting = new();
    private readonly IAgentStore agents;
    private readonly TimeProvider time;
    private readonly IClusterSignals _signals;
    private readonly AgentRateLimiter? limits;
    private readonly IDisposable[] _subscriptions;
    private long _forgets;

    public AgentAuthentication(IAgentStore agents, TimeProvider time, IClusterSignals signals, AgentRateLimiter? limits = null)
    {
        this.agents = agents;
        this.time = time;
        this.limits = limits;
        _signals = signals;
        _subscriptions = [signals.Subscribe(AgentTopic, ForgetAgents), signals.Subscribe(EndpointTopic, ForgetEndpoints)];
    }

    /// <summary>
    /// Lets the request through with its <see cref="AgentSession"/> as a request feature, or answers 401 (or 429 past
    /// the agent's rate limit). A credential verified before is checked without an await, so a parked long-poll keeps
    /// no frame of this middleware: it is middleware rather than an endpoint filter for the same reason (a filter boxes
    /// the handler's arguments and keeps three more frames alive in each of 10,000 parked polls).
    /// </summary>
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var prefix = AgentProtocolV1.AuthScheme + " ";
        if (header.StartsWith(prefix, StringComparison.Ordinal)
            && header[prefix.Length..].Split(':', 2) is [var agentId, var secret]
            && agentId.Length is > 0 and <= 64)
        {
            var authenticating = AuthenticateAsync(agentId, secret, http.RequestAborted);
            return authenticating.IsCompletedSuccessfully
                ? Admit(http, next, agentId, authenticating.Result)
                : AdmitAsync(http, next, agentId, authenticating);
        }

        return Refuse(http);
    }

    private async Task AdmitAsync(
        HttpContext http, RequestDelegate next, string agentId, ValueTask<AgentSession?> authenticating) =>
        await Admit(http, next, agentId, await authenticating);

    private Task Admit(HttpContext http, RequestDelegate next, string agentId, AgentSession? session)
    {
        if (session is null)
        {
            return Refuse(http);
        }

        // Limited after authentication: a caller with a wrong secret cannot spend the real agent's budget.
        if (limits?.Authenticated(agentId) is { } wait)
        {
            return RateLimits.TooMany(http, wait).ExecuteAsync(http);
        }

        // A request feature, not HttpContext.Items: Items makes a dictionary per request, which every parked long-poll
        // then keeps for its whole wait.
        http.Features.Set(session);
        return next(http);
    }

    private Task Refuse(HttpContext http)
    {
        if (limits?.Refused(http) is { } refusedWait)
        {
            return RateLimits.TooMany(http, refusedWait).ExecuteAsync(http);
        }

        http.Response.Headers.WWWAuthenticate = AgentProtocolV1.AuthScheme;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "The agent credential was refused.",
            detail: $"Send 'Authorization: {AgentProtocolV1.AuthScheme} <agentId>:<secret>' with a credential that is enrolled and not revoked; re-enroll with a token otherwise.")
            .ExecuteAsync(http);
    }

    public static AgentSession SessionOf(HttpContext context) =>
        context.Features.Get<AgentSession>()
        ?? throw new InvalidOperationException("agent route without the agent credential middleware");

    /// <summary>The agent's credential changed or was revoked (committed): once this returns, its next call, on any
    /// node, is checked against the database.</summary>
    public Task ForgetAsync(string agentId) => _signals.PublishAndSettleAsync(new ClusterSignal(AgentTopic, [agentId]));

    /// <summary>Every agent of the endpoint (a re-enrollment revokes the endpoint's earlier agents), on every node.</summary>
    public Task ForgetEndpointAsync(long endpointId) =>
        _signals.PublishAndSettleAsync(new ClusterSignal(EndpointTopic, [endpointId.ToString(System.Globalization.CultureInfo.InvariantCulture)]));

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }

    private void ForgetAgents(ClusterSignal signal)
    {
        lock (_forgetting)
        {
            _forgets++;
            if (signal.IsEverything)
            {
                _sessions.Clear();
                return;
            }

            foreach (var agentId in signal.Keys)
            {
                _sessions.TryRemove(agentId, out _);
            }
        }
    }

    private void ForgetEndpoints(ClusterSignal signal)
    {
        if (signal.IsEverything)
        {
            ForgetAgents(signal);
            return;
        }

        lock (_forgetting)
        {
            _forgets++;
        }

        var endpointIds = signal.KeysAsIds().ToHashSet();
        foreach (var (id, session) in _sessions)
        {
            if (endpointIds.Contains(session.Identity.EndpointId))
            {
                _sessions.TryRemove(id, out _);
            }
        }
    }

    private async ValueTask<AgentSession?> AuthenticateAsync(string agentId, string secret, CancellationToken cancellationToken)
    {
        var presented = Secrets.Hash(secret);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        // First: every revoke another node answered before this request arrived has dropped its entry here.
        var trustCache = _signals.IsCaughtUp;
        if (_sessions.TryGetValue(agentId, out var cached) && trustCache && now - cached.VerifiedAtMs < (long)VerifiedFor.TotalMilliseconds)
        {
            // A different secret (an old one after a rotation by another node, or a wrong one) is checked against the store.
            if (cached.Matches(presented))
            {
                return cached;
            }
        }

        long forgets;
        lock (_forgetting)
        {
            forgets = _forgets;
        }

        if (await agents.GetAsync(agentId, cancellationToken) is not { RevokedAt: null } agent || !Secrets.Matches(secret, agent.SecretHash))
        {
            _sessions.TryRemove(agentId, out _);
            return null;
        }

        // The same credential of the same endpoint, confirmed again: the session is kept with what this server last wrote and
        // acknowledged for the agent. A new session would write last-seen, the applied state and the acknowledgement again
        // once a minute for every agent (the cached session is re-read every VerifiedFor).
        var identity = AgentIdentity.From(agent);
        AgentSession session;
        if (cached is not null && cached.Identity == identity && cached.Matches(agent.SecretHash))
        {
            cached.Reverified(now);
            session = cached;
        }
        else
        {
            session = new AgentSession(identity, agent.SecretHash, now);
        }

        lock (_forgetting)
        {
            // A revoke or rotation that finished while the record was read may have made it stale: then it is not kept.
            if (_forgets == forgets)
            {
                _sessions[agentId] = session;
            }
        }

        return session;
    }
}
