using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Signals;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Tests.Agents;

namespace Orchestrator.Server.Tests.Cluster;

/// <summary>
/// What a node does when its signal listener (re)connects and so may have missed changes made through other nodes:
/// "everything changed" drops every cached credential and every read state, and wakes every parked poll to read again.
/// The changes here are made behind the server's back (straight into the store, as another node would), on the
/// in-process bus of a single SQLite node.
/// </summary>
public sealed class EverythingChangedTests
{
    [Fact]
    public async Task AnAgentRevokedBehindTheServersBackIsRefusedOnceEverythingIsSignalledChanged()
    {
        await using var site = await AgentSite.StartAsync(1);
        var agent = site.Agents[0];
        Assert.Equal(HttpStatusCode.OK, (await agent.PollAsync(0, 0)).Status);
        await site.Factory.Services.GetRequiredService<IAgentStore>().RevokeAsync(agent.Credential.AgentId, "another node", DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);

        // The verified credential is still cached: nothing told this node.
        Assert.Equal(HttpStatusCode.OK, (await agent.PollAsync(0, 0)).Status);

        await site.Factory.Services.GetRequiredService<IClusterSignals>().PublishAsync(ClusterSignal.Everything(AgentAuthentication.AgentTopic), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.PollAsync(0, 0)).Status);
    }

    [Fact]
    public async Task AParkedPollReadsAgainWhenEverythingIsSignalledChanged()
    {
        await using var site = await AgentSite.StartAsync(2);
        var agent = site.Agents[0];
        var runId = await site.StartRunAsync(await site.WindowAsync());
        var open = await agent.StateAsync();
        Assert.Single(open.Openings);
        var runs = site.Factory.Services.GetRequiredService<IRunStore>();
        Assert.True(await runs.TransitionAsync(runId, RunState.Closing, "another node", DateTimeOffset.UtcNow, CloseReason.ClosedByOperator, TestContext.Current.CancellationToken));

        var watch = Stopwatch.StartNew();
        var poll = agent.PollAsync(open.Version, 20);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.False(poll.IsCompleted, "the poll answered before anything was signalled (the read state is kept)");
        await site.Factory.Services.GetRequiredService<IClusterSignals>().PublishAsync(ClusterSignal.Everything(DesiredStateNotifier.Topic), TestContext.Current.CancellationToken);

        var (status, state) = await poll;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(state!.Openings);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"answered {watch.Elapsed.TotalSeconds:0.0} s after parking");
    }
}
