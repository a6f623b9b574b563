using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Signals;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// Many polls that need their states read at the same moment (parked polls waking at a run's planned end with old
/// snapshots, a dead node's agents arriving together) share bulk reads, and get the same states as reading one by one.
/// </summary>
public sealed class MissedStateBatchingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StatesMissedTogetherAreReadTogetherAndAreTheStatesReadOneByOne()
    {
        const int Agents = 40;
        await using var site = await AgentSite.StartAsync(Agents, new OrchestratorFactory { Settings = { ["Orchestrator:SignInAttemptsPerMinute"] = "1000" } });
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var services = site.Factory.Services;
        var states = services.GetRequiredService<DesiredStates>();
        var signals = services.GetRequiredService<IClusterSignals>();
        var endpoints = site.Agents.Select(a => a.Credential.EndpointId).ToList();

        await signals.PublishAsync(ClusterSignal.Everything(DesiredStates.ForgetTopic), Token);
        var readsBefore = states.Reads;
        var together = await Task.WhenAll(endpoints.Select(id => states.ForAsync(id, Token).AsTask()));
        var readsTogether = states.Reads - readsBefore;

        var oneByOne = new List<long>();
        foreach (var id in endpoints)
        {
            await signals.PublishAsync(ClusterSignal.Everything(DesiredStates.ForgetTopic), Token);
            oneByOne.Add((await states.ForAsync(id, Token)).State.Version);
        }

        Assert.All(together, t => Assert.Equal([runId], t.RunIds));
        Assert.Equal(oneByOne, together.Select(t => t.State.Version));
        Assert.InRange(readsTogether, 1, Agents / 4);
    }
}
