using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// Agent routes run where routing matches them: their own filter authenticates and limits agents, so the ops-key
/// authentication, authorization and rate-limiting middleware are skipped (each held per-request state for as long as a
/// long-poll was parked), while the error handling, ProblemDetails and security headers of every answer still apply.
/// </summary>
public sealed class AgentPipelineTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AgentRoutesSkipTheOpsKeyAuthenticationAndKeepErrorHandlingAndSecurityHeaders()
    {
        // Records, per request path, whether the ops-key authentication middleware ran (it sets IAuthenticationFeature).
        var authenticated = new ConcurrentDictionary<string, bool>();
        var factory = new OrchestratorFactory { MoreServices = services => services.AddSingleton<IStartupFilter>(new AuthenticationProbe(authenticated)) };
        await using var site = await AgentSite.StartAsync(2, factory);
        var agent = site.Agents[0];

        var (status, state) = await agent.PollAsync(0, 0);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(state);
        using (var windows = await site.Client.GetAsync(new Uri("/api/v1/windows", UriKind.Relative), Token))
        {
            Assert.Equal(HttpStatusCode.OK, windows.StatusCode);
        }

        Assert.False(authenticated[AgentProtocolV1.StatePath], "an agent poll went through the ops-key authentication");
        Assert.True(authenticated["/api/v1/windows"], "an ops request skipped the ops-key authentication");

        // A malformed report still gets the ProblemDetails of the exception handler and the headers of every answer.
        using var anonymous = site.Factory.CreateAnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath)
        {
            Content = new StringContent("{\"reportId\": ", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", agent.Authorization);
        using var response = await anonymous.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.False(authenticated[AgentProtocolV1.ReportPath], "an agent report went through the ops-key authentication");

        // And an agent route without a valid agent credential is still refused.
        var (refused, _) = await agent.PollAsync(0, 0, authorization: $"{AgentProtocolV1.AuthScheme} {agent.Credential.AgentId}:wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, refused);
    }

    private sealed class AuthenticationProbe(ConcurrentDictionary<string, bool> authenticated) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, inner) =>
            {
                await inner(http);
                authenticated[http.Request.Path.Value!] = http.Features.Get<IAuthenticationFeature>() is not null;
            });
            next(app);
        };
    }
}
