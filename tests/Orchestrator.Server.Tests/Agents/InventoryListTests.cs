using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

public sealed class InventoryListTests
{
    [Fact]
    public async Task AnEndpointWhoseAgentKeepsCallingIsShownAsSeenAtItsAgentsLastCall()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "lists", expiresIn = "PT1H" }))["token"]!;
        var agent = await TestAgent.EnrollAsync(client, token, "pc-seen", "198.18.2.1");
        var enrolled = await EndpointAsync(client);
        await Task.Delay(TimeSpan.FromMilliseconds(1_200), TestContext.Current.CancellationToken);
        var beforeCall = DateTimeOffset.UtcNow;

        await agent.StateAsync();
        var listed = await EndpointAsync(client);
        var single = await client.GetJsonAsync($"/api/v1/endpoints/{(long)listed["id"]!}");

        Assert.True(Seen(listed) >= beforeCall, $"endpoint last seen {Seen(listed):O}, agent called at {beforeCall:O} (enrolled: {Seen(enrolled):O})");
        Assert.Equal(Seen(listed), Seen(single));
    }

    [Fact]
    public async Task AgentsListSendsTheAppliedVersionAsAStringThatKeepsEveryDigit()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "lists", expiresIn = "PT1H" }))["token"]!;
        var agent = await TestAgent.EnrollAsync(client, token, "pc-applied", "198.18.2.2");
        var state = await agent.StateAsync();
        await agent.AcknowledgeAsync(state.Version);

        using var response = await client.GetAsync(new Uri("/api/v1/agents", UriKind.Relative), TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var applied = json.RootElement[0].GetProperty("appliedVersion");

        Assert.Equal(JsonValueKind.String, applied.ValueKind);
        Assert.Equal(state.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), applied.GetString());
        Assert.Equal(agent.Credential.AgentId, json.RootElement[0].GetProperty("agentId").GetString());
    }

    private static async Task<JsonNode> EndpointAsync(HttpClient client) => (await client.GetJsonAsync("/api/v1/endpoints")).AsArray().Single()!;

    private static DateTimeOffset Seen(JsonNode endpoint) => endpoint["lastSeenAt"]!.GetValue<DateTimeOffset>();
}
