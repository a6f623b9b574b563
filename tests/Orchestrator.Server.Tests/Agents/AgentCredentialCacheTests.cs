using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Data.Agents;
using Orchestrator.Protocol;
using Orchestrator.Server.Agents;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// A cached credential is read again after <see cref="AgentAuthentication.VerifiedFor"/>; when the store confirms
/// the same credential, the agent keeps its session (what the server last wrote for it), otherwise it gets a new one or
/// is refused.
/// </summary>
public sealed class AgentCredentialCacheTests
{
    private const string Secret = "oas_first";

    // What a refusal needs to write its problem body.
    private static readonly IServiceProvider ProblemServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    [Fact]
    public async Task TheSameCredentialConfirmedAgainKeepsItsSession()
    {
        var (credentials, store, time) = Start();
        var first = await AuthenticateAsync(credentials, Secret);
        time.Advance(AgentAuthentication.VerifiedFor + TimeSpan.FromSeconds(1));

        var again = await AuthenticateAsync(credentials, Secret);

        Assert.Same(first, again);
        Assert.Equal(2, store.Reads);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), again!.VerifiedAtMs);
        Assert.Same(again, await AuthenticateAsync(credentials, Secret));
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task ACredentialRotatedElsewhereGetsANewSessionAndTheOldSecretIsRefused()
    {
        var (credentials, store, time) = Start();
        var first = await AuthenticateAsync(credentials, Secret);
        store.Agent = store.Agent with { SecretHash = Secrets.Hash("oas_second") };
        time.Advance(AgentAuthentication.VerifiedFor + TimeSpan.FromSeconds(1));

        Assert.Null(await AuthenticateAsync(credentials, Secret));
        var rotated = await AuthenticateAsync(credentials, "oas_second");
        Assert.NotNull(rotated);
        Assert.NotSame(first, rotated);
    }

    [Fact]
    public async Task ACredentialRevokedElsewhereIsRefusedOnceReadAgain()
    {
        var (credentials, store, time) = Start();
        Assert.NotNull(await AuthenticateAsync(credentials, Secret));
        store.Agent = store.Agent with { RevokedAt = time.GetUtcNow() };
        time.Advance(AgentAuthentication.VerifiedFor + TimeSpan.FromSeconds(1));

        Assert.Null(await AuthenticateAsync(credentials, Secret));
    }

    private static (AgentAuthentication Credentials, OneAgentStore Store, FakeTimeProvider Time) Start()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 3, 9, 21, 0, 0, TimeSpan.Zero));
        var store = new OneAgentStore(new AgentRecord("agent-1", 7, "a.example", Secrets.Hash(Secret), "1.0", time.GetUtcNow(), null, null, null, null, null));
        return (new AgentAuthentication(store, time, new Orchestrator.Data.Signals.InProcessClusterSignals()), store, time);
    }

    /// <summary>The session the middleware let through, or null when it refused the credential (then it answered 401).</summary>
    private static async Task<AgentSession?> AuthenticateAsync(AgentAuthentication credentials, string secret)
    {
        var http = new DefaultHttpContext { RequestServices = ProblemServices };
        http.Response.Body = new MemoryStream();
        http.Request.Headers.Authorization = $"{AgentProtocolV1.AuthScheme} agent-1:{secret}";
        AgentSession? session = null;
        await credentials.InvokeAsync(http, context =>
        {
            session = AgentAuthentication.SessionOf(context);
            return Task.CompletedTask;
        });
        Assert.Equal(session is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK, http.Response.StatusCode);
        return session;
    }

    private sealed class OneAgentStore(AgentRecord agent) : IAgentStore
    {
        public AgentRecord Agent { get; set; } = agent;

        public int Reads { get; private set; }

        public Task<AgentRecord?> GetAsync(string agentId, CancellationToken cancellationToken = default)
        {
            Reads++;
            return Task.FromResult<AgentRecord?>(agentId == Agent.Id ? Agent : null);
        }

        public Task<EnrollmentTokenRecord> CreateTokenAsync(string name, string tokenHash, bool singleUse, DateTimeOffset expiresAt, Orchestrator.Core.Endpoints.EnrollmentScope scope, string actor, DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<EnrollmentTokenRecord>> ListTokensAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> RevokeTokenAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<EnrollmentOutcome> EnrollAsync(Enrollment enrollment, DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<AgentRecord>> ListAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<AgentRecord>> ListForEndpointsAsync(IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyDictionary<long, DateTimeOffset?>> LastSeenOfEndpointsAsync(IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task TouchAsync(string agentId, DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> RotateAsync(string agentId, string secretHash, DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> RevokeAsync(string agentId, string actor, DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
