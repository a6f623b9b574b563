using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Access;

/// <summary>
/// Which requests run the ops-key middleware: every route but the agents' own. AgentAuthentication authenticates and
/// limits agents; ops authentication on their routes only found no key and kept per-request state alive in parked polls.
/// </summary>
public sealed class AgentRoutePipelineTests
{
    [Fact]
    public async Task AgentRoutesSkipOpsAuthenticationWhileOpsRoutesAndUnknownPathsRunItOnce()
    {
        var calls = new ConcurrentDictionary<string, int>();
        await using var root = new OrchestratorFactory();
        await using var factory = root.WithWebHostBuilder(b => b.ConfigureTestServices(services => CountAuthentication(services, calls)));
        using var client = factory.CreateClient();
        using var anonymous = factory.CreateClient();
        anonymous.DefaultRequestHeaders.Authorization = null;
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t" }))["token"]!;
        var agent = await TestAgent.EnrollAsync(client, token, "pc-1", "198.18.0.11");
        calls.Clear();

        var (status, _) = await agent.PollAsync(0, 0);
        using var groups = await client.GetAsync("/api/v1/groups", TestContext.Current.CancellationToken);
        using var unknown = await anonymous.GetAsync("/agent/v1/no-such-route", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, groups.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        // The middleware authenticates the default scheme (a policy scheme, which forwards to the key's own scheme).
        var byDefault = (await factory.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetDefaultAuthenticateSchemeAsync())!.Name;
        Assert.DoesNotContain(calls.Keys, k => k.StartsWith("/agent/v1/state ", StringComparison.Ordinal));
        Assert.Equal(1, calls.GetValueOrDefault($"/api/v1/groups {byDefault}"));
        Assert.Equal(1, calls.GetValueOrDefault($"/agent/v1/no-such-route {byDefault}"));
    }

    [Fact]
    public async Task AnAgentRouteStillRefusesABadAgentCredentialAndAnOpsKeyIsNoAgentCredential()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t" }))["token"]!;
        var agent = await TestAgent.EnrollAsync(client, token, "pc-1", "198.18.0.11");

        var wrongSecret = await agent.PollAsync(0, 0, $"Agent {agent.Credential.AgentId}:wrong-secret");
        var opsKey = await agent.PollAsync(0, 0, $"Bearer {OrchestratorFactory.AdminKey}");

        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, opsKey.Status);
    }

    /// <summary>Wraps the registered authentication service: counts its authentications by request path and scheme.</summary>
    private static void CountAuthentication(IServiceCollection services, ConcurrentDictionary<string, int> calls)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IAuthenticationService));
        services.Remove(registered);
        services.AddScoped<IAuthenticationService>(sp =>
            new Counting((IAuthenticationService)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!), calls));
    }

    private sealed class Counting(IAuthenticationService inner, ConcurrentDictionary<string, int> calls) : IAuthenticationService
    {
        public Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string? scheme)
        {
            calls.AddOrUpdate($"{context.Request.Path.Value} {scheme}", 1, (_, n) => n + 1);

            return inner.AuthenticateAsync(context, scheme);
        }

        public Task ChallengeAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => inner.ChallengeAsync(context, scheme, properties);

        public Task ForbidAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => inner.ForbidAsync(context, scheme, properties);

        public Task SignInAsync(HttpContext context, string? scheme, ClaimsPrincipal principal, AuthenticationProperties? properties) => inner.SignInAsync(context, scheme, principal, properties);

        public Task SignOutAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => inner.SignOutAsync(context, scheme, properties);
    }
}
