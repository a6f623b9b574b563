using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
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
/// A node that hears of another node's change reads the states of the polls parked on it in one go before waking
/// them (as the node that made the change does for its own), instead of each woken poll reading its own; and the node
/// that makes a change wakes its own polls only after reading ahead. The other node's change is made behind the
/// server's back (straight into the store) and its signal delivered as the PostgreSQL bus delivers one it heard
/// (<see cref="ClusterSignal.FromOtherNode"/>), on a single SQLite node.
/// </summary>
public sealed class RemoteReadAheadTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnotherNodesChangeIsReadAheadForThePollsParkedHereBeforeTheyWake()
    {
        await using var site = await AgentSite.StartAsync(2);
        var (parkedAgent, idleAgent) = (site.Agents[0], site.Agents[1]);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        var open = await parkedAgent.StateAsync();
        Assert.Single(open.Openings);
        var services = site.Factory.Services;
        var notifier = services.GetRequiredService<DesiredStateNotifier>();
        var states = services.GetRequiredService<DesiredStates>();
        var parkedEndpoint = await EndpointOfAsync(site, parkedAgent);
        var idleEndpoint = await EndpointOfAsync(site, idleAgent);

        // The real read-ahead, held until the test lets it go, recording what it was asked for.
        var asked = new ConcurrentQueue<IReadOnlyCollection<long>>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        notifier.ReadAheadWith(async (ids, ct) =>
        {
            asked.Enqueue(ids);
            await release.Task.WaitAsync(ct);
            await states.ReadNowAsync(ids, ct);
        }, fromPolls: 1);

        Assert.True(await services.GetRequiredService<IRunStore>().TransitionAsync(runId, RunState.Closing, "another node", DateTimeOffset.UtcNow, CloseReason.ClosedByOperator, Token));
        var poll = parkedAgent.PollAsync(open.Version, 20);
        await Task.Delay(500, Token);
        Assert.False(poll.IsCompleted, "the poll answered before anything was signalled");

        services.GetRequiredService<IClusterSignals>().DeliverHere(new ClusterSignal(DesiredStateNotifier.Topic, [Key(parkedEndpoint), Key(idleEndpoint)]) { FromOtherNode = true });
        await WaitForAsync(() => !asked.IsEmpty, "the read-ahead");
        await Task.Delay(300, Token);
        Assert.False(poll.IsCompleted, "the poll woke before its state was read ahead");
        release.SetResult();

        var (status, state) = await poll;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(state!.Openings);
        // Only the poll parked here was read for; the idle agent reads its own when it comes.
        Assert.Equal([parkedEndpoint], Assert.Single(asked));
        Assert.Empty((await idleAgent.StateAsync()).Openings);
    }

    [Fact]
    public async Task FewerPollsThanTheReadAheadThresholdAreWokenAtOnceAndReadTheirOwnStates()
    {
        await using var site = await AgentSite.StartAsync(2);
        var agent = site.Agents[0];
        var runId = await site.StartRunAsync(await site.WindowAsync());
        var open = await agent.StateAsync();
        Assert.Single(open.Openings);
        var services = site.Factory.Services;
        var remoteReads = 0;
        services.GetRequiredService<DesiredStateNotifier>().ReadAheadWith((_, _) =>
        {
            Interlocked.Increment(ref remoteReads);
            return Task.CompletedTask;
        });

        Assert.True(await services.GetRequiredService<IRunStore>().TransitionAsync(runId, RunState.Closing, "another node", DateTimeOffset.UtcNow, CloseReason.ClosedByOperator, Token));
        var poll = agent.PollAsync(open.Version, 20);
        await Task.Delay(500, Token);
        services.GetRequiredService<IClusterSignals>().DeliverHere(new ClusterSignal(DesiredStateNotifier.Topic, [Key(await EndpointOfAsync(site, agent))]) { FromOtherNode = true });
        var (status, state) = await poll;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(state!.Openings);
        Assert.True(DesiredStateNotifier.RemoteReadAheadFromPolls > 1);
        Assert.Equal(0, remoteReads);
    }

    [Fact]
    public async Task ThisNodesOwnChangeWakesItsPollsOnlyAfterItsOwnReadAheadAndIsNotReadAgainOnDelivery()
    {
        // Two members: an opening needs a peer.
        await using var site = await AgentSite.StartAsync(2);
        var agent = site.Agents[0];
        var runId = await site.StartRunAsync(await site.WindowAsync());
        var open = await agent.StateAsync();
        Assert.Single(open.Openings);
        var services = site.Factory.Services;
        var notifier = services.GetRequiredService<DesiredStateNotifier>();
        var endpoint = await EndpointOfAsync(site, agent);
        var remoteReads = 0;
        notifier.ReadAheadWith(
            (_, _) =>
            {
                Interlocked.Increment(ref remoteReads);
                return Task.CompletedTask;
            },
            fromPolls: 1);

        Assert.True(await services.GetRequiredService<IRunStore>().TransitionAsync(runId, RunState.Closing, "this node", DateTimeOffset.UtcNow, CloseReason.ClosedByOperator, Token));
        var poll = agent.PollAsync(open.Version, 20);
        await Task.Delay(500, Token);
        var readingAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var notify = notifier.NotifyAsync([endpoint], _ => readingAhead.Task);
        await Task.Delay(300, Token);
        Assert.False(poll.IsCompleted, "this node's poll woke before this node read its state ahead");

        readingAhead.SetResult();
        await notify;
        var (status, state) = await poll;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(state!.Openings);
        Assert.Equal(0, remoteReads);
    }

    [Fact]
    public async Task ABigChangeWakesEachChunkOfPollsOnceItsStatesAreReadWithoutWaitingForLaterChunks()
    {
        await using var site = await AgentSite.StartAsync(3);
        var parked = await ParkTwoOnARunClosedBehindTheServersBackAsync(site);
        var states = site.Factory.Services.GetRequiredService<DesiredStates>();

        // Chunks of one: the first endpoint's read goes through, the second's is held until the test lets it go.
        var asked = new ConcurrentQueue<IReadOnlyCollection<long>>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var notify = site.Factory.Services.GetRequiredService<DesiredStateNotifier>().NotifyAsync([parked.First, parked.Second], async chunk =>
        {
            asked.Enqueue(chunk);
            if (chunk.Contains(parked.Second))
            {
                await release.Task.WaitAsync(Token);
            }

            await states.WarmAsync(chunk, Token);
        }, chunk: 1);

        await AssertWokenChunkByChunkAsync(parked, release);
        await notify;
        Assert.Equal([[parked.First], [parked.Second]], asked.Select(c => c.ToArray()).ToArray());
    }

    [Fact]
    public async Task AnotherNodesBigChangeIsReadAheadAndWokenChunkByChunk()
    {
        await using var site = await AgentSite.StartAsync(3);
        var parked = await ParkTwoOnARunClosedBehindTheServersBackAsync(site);
        var services = site.Factory.Services;
        var states = services.GetRequiredService<DesiredStates>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        services.GetRequiredService<DesiredStateNotifier>().ReadAheadWith(
            async (ids, ct) =>
            {
                if (ids.Contains(parked.Second))
                {
                    await release.Task.WaitAsync(ct);
                }

                await states.ReadNowAsync(ids, ct);
            },
            fromPolls: 1,
            chunk: 1);

        services.GetRequiredService<IClusterSignals>().DeliverHere(new ClusterSignal(DesiredStateNotifier.Topic, [Key(parked.First), Key(parked.Second)]) { FromOtherNode = true });
        await AssertWokenChunkByChunkAsync(parked, release);
    }

    /// <summary>Two members' polls parked on their open state, after the run was closed in the store without a signal
    /// (as another node, or a change not yet announced, would leave it).</summary>
    private static async Task<TwoParked> ParkTwoOnARunClosedBehindTheServersBackAsync(AgentSite site)
    {
        var (first, second) = (site.Agents[0], site.Agents[1]);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        var (firstOpen, secondOpen) = (await first.StateAsync(), await second.StateAsync());
        Assert.Single(firstOpen.Openings);
        Assert.Single(secondOpen.Openings);
        Assert.True(await site.Factory.Services.GetRequiredService<IRunStore>().TransitionAsync(runId, RunState.Closing, "elsewhere", DateTimeOffset.UtcNow, CloseReason.ClosedByOperator, Token));
        var parked = new TwoParked(
            await EndpointOfAsync(site, first), await EndpointOfAsync(site, second), first.PollAsync(firstOpen.Version, 20), second.PollAsync(secondOpen.Version, 20));
        await Task.Delay(500, Token);
        Assert.False(parked.FirstPoll.IsCompleted || parked.SecondPoll.IsCompleted, "a poll answered before anything was signalled");
        return parked;
    }

    /// <summary>The first poll gets the close while the second's chunk is held; the second gets it once released.</summary>
    private static async Task AssertWokenChunkByChunkAsync(TwoParked parked, TaskCompletionSource release)
    {
        var (status, state) = await parked.FirstPoll.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(state!.Openings);
        await Task.Delay(300, Token);
        Assert.False(parked.SecondPoll.IsCompleted, "a poll woke before its own chunk's states were read");

        release.SetResult();
        (status, state) = await parked.SecondPoll;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(state!.Openings);
    }

    private sealed record TwoParked(
        long First, long Second, Task<(HttpStatusCode Status, Protocol.DesiredStateV1? State)> FirstPoll, Task<(HttpStatusCode Status, Protocol.DesiredStateV1? State)> SecondPoll);

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static async Task<long> EndpointOfAsync(AgentSite site, TestAgent agent) =>
        (await site.Factory.Services.GetRequiredService<IAgentStore>().GetAsync(agent.Credential.AgentId, Token))!.EndpointId;

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"waited 10 s for {what}");
            await Task.Delay(20, Token);
        }
    }
}
