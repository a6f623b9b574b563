using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>A server with an enrollment token, <paramref name="count"/> enrolled agents tagged "floor-3" and a group
/// over them, for agent protocol tests.</summary>
public sealed class AgentSite : IAsyncDisposable
{
    private AgentSite(OrchestratorFactory factory, HttpClient client, string token, IReadOnlyList<TestAgent> agents)
    {
        Factory = factory;
        Client = client;
        Token = token;
        Agents = agents;
    }

    public OrchestratorFactory Factory { get; }

    public HttpClient Client { get; }

    public string Token { get; }

    public IReadOnlyList<TestAgent> Agents { get; }

    /// <param name="factory">The server to use (e.g. one with more settings); a default one when null.</param>
    public static async Task<AgentSite> StartAsync(int count, OrchestratorFactory? factory = null)
    {
        factory ??= new OrchestratorFactory();
        var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "site", expiresIn = "PT1H", tags = new[] { "floor-3" } }))["token"]!;
        var agents = new List<TestAgent>();
        for (var i = 1; i <= count; i++)
        {
            agents.Add(await TestAgent.EnrollAsync(client, token, $"pc-{i}", $"198.18.0.{10 + i}", "floor-3"));
        }

        await client.CreateAsync("/api/v1/groups", new { name = "floor-3", tags = new[] { "floor-3" } });
        return new AgentSite(factory, client, token, agents);
    }

    public async Task<long> WindowAsync(object? scan = null, string cutoff = "PT0S")
    {
        var window = await Client.CreateAsync("/api/v1/windows", new
        {
            name = $"w-{Guid.NewGuid():N}",
            cron = "0 0 3 1 1 ?",
            timeZone = "Etc/UTC",
            duration = "PT1H",
            cutoff,
            groups = new[] { "floor-3" },
            scan = scan ?? new { enabled = false },
        });
        return (long)window["id"]!;
    }

    public async Task<long> StartRunAsync(long windowId, string duration = "PT1M") =>
        (long)(await Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration }))["id"]!;

    public Task<JsonNode> RunDetailAsync(long runId) => Client.GetJsonAsync($"/api/v1/runs/{runId}");

    public async Task<JsonNode> WaitRunStateAsync(long runId, string state) =>
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(Client, runId), r => (string?)r["state"] == state, TimeSpan.FromSeconds(20), $"run {runId} {state}");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
