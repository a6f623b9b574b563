using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// A peer set of at most <c>Orchestrator:InlinePeerSetMaxRanges</c> ranges travels inline in the state of an agent that
/// asked for peer sets: exactly the ranges the fetch answers, under the same hash and version, so the agent fetches
/// nothing. A larger set is only named by hash, and an agent that takes full lists sees no change.
/// </summary>
public sealed class InlinePeerSetTests
{
    [Fact]
    public async Task ASetOfFewRangesTravelsInlineAsExactlyTheRangesTheFetchAnswers()
    {
        await using var site = await AgentSite.StartAsync(3);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var agent = site.Agents[0];

        var state = await agent.StateAsync(AgentProtocolV1.PeerSetsFeature);
        var listed = await agent.StateAsync();

        var reference = Assert.Single(state.Openings).PeerSet!;
        Assert.Equal(["198.18.0.11-198.18.0.13"], reference.Ranges);
        Assert.Equal([agent.Address], reference.Except);
        using var response = await agent.PeerSetAsync(reference.Hash);
        var fetched = await response.Content.ReadFromJsonAsync<PeerSetV1>(JsonSerializerOptions.Web, TestContext.Current.CancellationToken);
        Assert.Equal(fetched!.Ranges, reference.Ranges);
        Assert.Equal(fetched.Hash, reference.Hash);
        // The same state: the version does not depend on the form, and an agent of before peer sets sees no set at all.
        Assert.Equal(listed.Version, state.Version);
        Assert.Null(Assert.Single(listed.Openings).PeerSet);
    }

    [Fact]
    public async Task ASetWithMoreRangesThanTheSettingIsOnlyNamedByHash()
    {
        var factory = new OrchestratorFactory();
        factory.Settings["Orchestrator:InlinePeerSetMaxRanges"] = "0";
        await using var site = await AgentSite.StartAsync(3, factory);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");

        var reference = Assert.Single((await site.Agents[0].StateAsync(AgentProtocolV1.PeerSetsFeature)).Openings).PeerSet!;

        Assert.Null(reference.Ranges);
        Assert.Equal(3, reference.Addresses);
    }
}
