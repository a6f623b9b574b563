using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// Ack-by-poll: an agent that names <c>ack-by-poll</c> is told so in its state, and its next poll, saying which version
/// it has in force (<c>applied</c>), acknowledges that state's openings at the poll's arrival, with no report. An agent
/// that does not name the feature is acknowledged only by its report, as before; a close is acknowledged only by a
/// report (it carries the run's last counters).
/// </summary>
public sealed class AckByPollTests
{
    private const string Features = AgentProtocolV1.PeerSetsFeature + "," + AgentProtocolV1.AckByPollFeature;

    [Fact]
    public async Task TheNextPollAcknowledgesTheOpeningAtItsArrivalWithoutAReport()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var agent = site.Agents[0];

        var state = await agent.StateAsync(Features);
        Assert.True(state.AcknowledgeByPoll);
        var before = DateTimeOffset.UtcNow;
        var (status, _) = await agent.PollAsync(state.Version, 0, features: Features, applied: state.Version);
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.NotModified, status);
        var member = await MemberAsync(site, runId, agent, m => m["openAckedAt"] is not null);
        var acked = DateTimeOffset.Parse((string)member["openAckedAt"]!, CultureInfo.InvariantCulture);
        Assert.InRange(acked, before.AddMilliseconds(-1), after.AddMilliseconds(1));
        Assert.Null(member["closeAckedAt"]);
    }

    [Fact]
    public async Task AnAgentWithoutTheFeatureOrWithAnotherVersionIsNotAcknowledgedByItsPoll()
    {
        await using var site = await AgentSite.StartAsync(3);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var (witness, old, stale) = (site.Agents[0], site.Agents[1], site.Agents[2]);

        var oldState = await old.StateAsync(AgentProtocolV1.PeerSetsFeature);
        Assert.Null(oldState.AcknowledgeByPoll);
        await old.PollAsync(oldState.Version, 0, features: AgentProtocolV1.PeerSetsFeature, applied: oldState.Version);
        var staleState = await stale.StateAsync(Features);
        await stale.PollAsync(staleState.Version, 0, features: Features, applied: staleState.Version + 1);
        // Acknowledgements are written in order: once the witness's is in, the others would be too.
        var witnessState = await witness.StateAsync(Features);
        await witness.PollAsync(witnessState.Version, 0, features: Features, applied: witnessState.Version);
        await MemberAsync(site, runId, witness, m => m["openAckedAt"] is not null);

        var members = await MembersAsync(site, runId);
        Assert.Null(members[old.Credential.EndpointId]["openAckedAt"]);
        Assert.Null(members[stale.Credential.EndpointId]["openAckedAt"]);

        // The agent of before is acknowledged by its report, as always.
        await old.AcknowledgeAsync(oldState.Version);
        await MemberAsync(site, runId, old, m => m["openAckedAt"] is not null);
    }

    [Fact]
    public async Task APollDoesNotConfirmACloseTheReportDoes()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var (agent, witness) = (site.Agents[0], site.Agents[1]);
        var open = await agent.StateAsync(Features);
        await agent.PollAsync(open.Version, 0, features: Features, applied: open.Version);
        await MemberAsync(site, runId, agent, m => m["openAckedAt"] is not null);

        var (status, _) = await site.Client.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/close");
        Assert.Equal(HttpStatusCode.Accepted, status);
        await site.WaitRunStateAsync(runId, "Closed");
        var closed = await agent.StateAsync(Features);
        Assert.Empty(closed.Openings);
        await agent.PollAsync(closed.Version, 0, features: Features, applied: closed.Version);
        var witnessState = await witness.StateAsync(Features);
        await witness.PollAsync(witnessState.Version, 0, features: Features, applied: witnessState.Version);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.Null((await MembersAsync(site, runId))[agent.Credential.EndpointId]["closeAckedAt"]);

        await agent.AcknowledgeAsync(closed.Version);
        await MemberAsync(site, runId, agent, m => m["closeAckedAt"] is not null);
    }

    private static async Task<Dictionary<long, JsonNode>> MembersAsync(AgentSite site, long runId) =>
        (await site.RunDetailAsync(runId))["members"]!.AsArray().ToDictionary(m => (long)m!["endpointId"]!, m => m!);

    private static async Task<JsonNode> MemberAsync(AgentSite site, long runId, TestAgent agent, Func<JsonNode, bool> until) =>
        await ApiClient.EventuallyAsync(
            async () => (await MembersAsync(site, runId))[agent.Credential.EndpointId],
            until,
            TimeSpan.FromSeconds(10),
            $"member {agent.Credential.EndpointId} of run {runId}");
}
