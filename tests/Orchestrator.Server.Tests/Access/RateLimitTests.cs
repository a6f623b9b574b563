using System.Net;
using Microsoft.AspNetCore.Hosting;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Access;

public sealed class RateLimitTests
{
    [Fact]
    public async Task WritesOverTheLimitAre429WithRetryAfterAndSaySo()
    {
        await using var root = new OrchestratorFactory();
        await using var factory = root.WithWebHostBuilder(b => b.UseSetting("Orchestrator:WritesPerMinute", "3"));
        using var client = factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.PostAsync("/api/v1/groups", new { name = $"g{i}", tags = new[] { "t" } })).Status);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
        using var refused = await client.PostAsync("/api/v1/groups", new StringContent("""{"name":"g9","tags":["t"]}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.True(refused.Headers.RetryAfter is not null, "Retry-After is set");
        Assert.Contains("rate limit", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/v1/groups")).Status);
    }

    [Fact]
    public async Task AnAgentOverItsLimitIs429WhileOtherAgentsAreServed()
    {
        await using var root = new OrchestratorFactory();
        await using var factory = root.WithWebHostBuilder(b => b.UseSetting("Orchestrator:AgentRequestsPerMinute", "10"));
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t" }))["token"]!;
        var busy = await TestAgent.EnrollAsync(client, token, "pc-1", "198.18.0.11");
        var quiet = await TestAgent.EnrollAsync(client, token, "pc-2", "198.18.0.12");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add((await busy.PollAsync(0, 0)).Status);
        }

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.OK, (await quiet.PollAsync(0, 0)).Status);
    }

    [Fact]
    public async Task WrongSecretsWithAVictimsAgentIdAreLimitedPerAddressWhileTheRealAgentKeepsWorking()
    {
        await using var root = new OrchestratorFactory();
        await using var factory = root.WithWebHostBuilder(b => b
            .UseSetting("Orchestrator:AgentRequestsPerMinute", "10")
            .UseSetting("Orchestrator:AgentRefusedAttemptsPerMinute", "5"));
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t" }))["token"]!;
        var victim = await TestAgent.EnrollAsync(client, token, "pc-1", "198.18.0.11");

        var attacker = new List<HttpStatusCode>();
        for (var i = 0; i < 120; i++)
        {
            attacker.Add((await victim.PollAsync(0, 0, $"Agent {victim.Credential.AgentId}:wrong-secret")).Status);
        }

        Assert.Equal(5, attacker.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(115, attacker.Count(s => s == HttpStatusCode.TooManyRequests));
        var real = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            real.Add((await victim.PollAsync(0, 0)).Status);
        }

        Assert.All(real, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await victim.PollAsync(0, 0)).Status);
    }
}
