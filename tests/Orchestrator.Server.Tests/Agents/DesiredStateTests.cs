using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

public sealed class DesiredStateTests
{
    [Fact]
    public async Task AnEndpointOutsideAnyRunIsClosedAndAnUnchangedVersionIsAnswered304AfterTheWait()
    {
        await using var site = await AgentSite.StartAsync(1);
        var state = await site.Agents[0].StateAsync();

        Assert.Empty(state.Openings);
        Assert.Equal("HttpOnly", state.DeliveryOptimization.Mode);
        var watch = Stopwatch.StartNew();
        var (status, _) = await site.Agents[0].PollAsync(state.Version, 1);
        Assert.Equal(HttpStatusCode.NotModified, status);
        // Held for the wait less at most a fifth (AgentApi.HoldFor).
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.75), $"held the request for the wait ({watch.Elapsed.TotalSeconds:0.00} s)");
    }

    [Fact]
    public async Task PollsThatArriveTogetherAreAnswered304AtSpreadTimesWithinTheirWait()
    {
        // A dead node's agents fail over to one node together: held for exactly their wait, they would come back
        // together at every wait's end, all needing their state read at once.
        await using var site = await AgentSite.StartAsync(12);
        var versions = await Task.WhenAll(site.Agents.Select(async a => (await a.StateAsync()).Version));
        var watch = Stopwatch.StartNew();

        var answered = await Task.WhenAll(site.Agents.Select(async (agent, i) =>
        {
            var (status, _) = await agent.PollAsync(versions[i], 2);
            return (status, At: watch.Elapsed);
        }));

        Assert.All(answered, a => Assert.Equal(HttpStatusCode.NotModified, a.status));
        var times = answered.Select(a => a.At.TotalMilliseconds).Order().ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"304 after (ms): {string.Join(", ", times.Select(t => t.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(times[0] >= 1550, $"a poll was answered before four fifths of its 2 s wait ({times[0]:0} ms)");
        Assert.True(times[^1] <= 2600, $"a poll was held past its 2 s wait ({times[^1]:0} ms)");
        // Twelve draws over 400 ms: a spread under 100 ms has a chance of about 1 in 10^5.
        Assert.True(times[^1] - times[0] >= 100, $"the 304s came together ({times[0]:0}–{times[^1]:0} ms)");
    }

    [Fact]
    public async Task AStatesVersionIsTheHashOfWhatItSaysSoAnUnchangedStateKeepsItAcrossServerVersions()
    {
        // Agents compare versions, not states: a server that made another version for the same state (after an upgrade,
        // or on another node) would have every agent apply it again. The version is the SHA-256 of this text, per
        // opening "run|port/transport|planned end (Unix ms)|peer-set hash|own addresses;", then the peering and the scans.
        await using var site = await AgentSite.StartAsync(3);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var agent = site.Agents[0];

        var state = await agent.StateAsync(AgentProtocolV1.PeerSetsFeature);

        var opening = Assert.Single(state.Openings);
        var plannedEnd = DateTimeOffset.Parse((string)(await Seed.RunAsync(site.Client, runId))["plannedEnd"]!, System.Globalization.CultureInfo.InvariantCulture);
        var peering = state.DeliveryOptimization;
        var text = $"{runId}|7680/tcp|{plannedEnd.ToUnixTimeMilliseconds()}|{opening.PeerSet!.Hash}|{agent.Address};do:{peering.Mode}:{peering.GroupId};scans:";
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.Equal(Math.Max(1, BitConverter.ToInt64(hash) & long.MaxValue), state.Version);
        Assert.Equal(state.Version, (await agent.StateAsync()).Version);
    }

    [Fact]
    public async Task ARunOpeningReachesEveryWaitingAgentWithinOneSecond()
    {
        await using var site = await AgentSite.StartAsync(3);
        var windowId = await site.WindowAsync();
        var versions = await Task.WhenAll(site.Agents.Select(async a => (await a.StateAsync()).Version));
        var polls = site.Agents.Select(async (agent, i) =>
        {
            var result = await agent.PollAsync(versions[i], 25);
            return (result, Received: DateTimeOffset.UtcNow);
        }).ToList();
        await Task.Delay(300, TestContext.Current.CancellationToken);

        var runId = await site.StartRunAsync(windowId);
        var answers = await Task.WhenAll(polls);

        var opened = DateTimeOffset.Parse((string)(await Seed.RunAsync(site.Client, runId))["openedAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        var latencies = answers.Select(a => (a.Received - opened).TotalMilliseconds).ToList();
        TestContext.Current.SendDiagnosticMessage($"open → agent latency (ms): {string.Join(", ", latencies.Select(l => l.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"Desired-state propagation, run open → {answers.Length} waiting agents: max {latencies.Max():0} ms");
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.result.Status));
        Assert.All(latencies, l => Assert.True(l <= 1_000, $"an agent got the opening {l:0} ms after the run opened"));

        foreach (var (answer, agent) in answers.Zip(site.Agents))
        {
            var opening = Assert.Single(answer.result.State!.Openings);
            Assert.Equal(runId, opening.RunId);
            Assert.Equal(7680, opening.Port);
            Assert.InRange(opening.SecondsRemaining, 50, 60);
            var others = site.Agents.Where(o => o != agent).Select(o => o.Address);
            Assert.Equal(others.Order(), opening.AllowedPeers.Order());
            Assert.Equal("Group", answer.result.State.DeliveryOptimization.Mode);
        }
    }

    [Fact]
    public async Task PollsOfOneOpeningKeepItsVersionWhileItsSecondsLeftCountDown()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var agent = site.Agents[0];

        // Both polls read the same kept snapshot (well within DesiredStates.ReadFor); only the seconds may differ.
        var first = await agent.StateAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.1), TestContext.Current.CancellationToken);
        var second = await agent.StateAsync();

        Assert.Equal(first.Version, second.Version);
        var (before, after) = (Assert.Single(first.Openings).SecondsRemaining, Assert.Single(second.Openings).SecondsRemaining);
        Assert.InRange(before - after, 2, 3);
        Assert.Equal(first.Openings[0].AllowedPeers, second.Openings[0].AllowedPeers);
    }

    [Fact]
    public async Task AcknowledgementsRecordOpenAndCloseAndASilentAgentEndsClosedByExpiryUnconfirmed()
    {
        await using var site = await AgentSite.StartAsync(2);
        var windowId = await site.WindowAsync();
        var runId = await site.StartRunAsync(windowId, "PT6S");
        await site.WaitRunStateAsync(runId, "Open");
        var (talker, silent) = (site.Agents[0], site.Agents[1]);
        var open = await talker.StateAsync();
        await talker.AcknowledgeAsync(open.Version);

        await site.WaitRunStateAsync(runId, "Closed");
        var closed = await talker.StateAsync();
        Assert.Empty(closed.Openings);
        await talker.AcknowledgeAsync(closed.Version);

        var members = await ApiClient.EventuallyAsync(
            async () => (await site.RunDetailAsync(runId))["members"]!.AsArray(),
            m => m.All(x => x!["closeState"] is not null),
            TimeSpan.FromSeconds(15),
            "close states settled");
        var byEndpoint = members.ToDictionary(m => (long)m!["endpointId"]!);
        Assert.NotNull(byEndpoint[talker.Credential.EndpointId]!["openAckedAt"]);
        Assert.NotNull(byEndpoint[talker.Credential.EndpointId]!["closeAckedAt"]);
        Assert.Equal("Confirmed", (string?)byEndpoint[talker.Credential.EndpointId]!["closeState"]);
        Assert.Null(byEndpoint[silent.Credential.EndpointId]!["openAckedAt"]);
        Assert.Equal("ClosedByExpiryUnconfirmed", (string?)byEndpoint[silent.Credential.EndpointId]!["closeState"]);
    }

    [Fact]
    public async Task OperatorCloseRemovesTheOpeningFromWaitingAgentsAtOnce()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var state = await site.Agents[0].StateAsync();
        Assert.Single(state.Openings);
        var poll = site.Agents[0].PollAsync(state.Version, 25);

        var (status, _) = await site.Client.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/close");

        Assert.Equal(HttpStatusCode.Accepted, status);
        var answer = await poll.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Empty(answer.State!.Openings);
        var closed = await site.WaitRunStateAsync(runId, "Closed");
        Assert.Equal("ClosedByOperator", (string?)closed["closeReason"]);
    }

    [Fact]
    public async Task AWaitingAgentHearsOfTheCloseAtThePlannedEndWithoutWaitingForTheCloseJob()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync(), "PT6S");
        var run = await site.WaitRunStateAsync(runId, "Open");
        var plannedEnd = DateTimeOffset.Parse((string)run["plannedEnd"]!, System.Globalization.CultureInfo.InvariantCulture);
        // Without its end trigger the run's close job never runs: only the end itself can close the agent's state.
        var scheduler = await site.Factory.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler(TestContext.Current.CancellationToken);
        Assert.True(await scheduler.UnscheduleJob(Orchestrator.Server.Scheduling.RunTriggers.EndKey(runId), TestContext.Current.CancellationToken));
        var state = await site.Agents[0].StateAsync();
        Assert.Single(state.Openings);

        var answer = await site.Agents[0].PollAsync(state.Version, 25);
        var received = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Empty(answer.State!.Openings);
        Assert.Equal("HttpOnly", answer.State.DeliveryOptimization.Mode);
        Assert.InRange((received - plannedEnd).TotalMilliseconds, 0, 1_000);
        Assert.Equal("Open", (string?)(await site.RunDetailAsync(runId))["run"]!["state"]);
    }

    [Fact]
    public async Task WaitOutsideTheProtocolLimitIsRefused()
    {
        await using var site = await AgentSite.StartAsync(1);
        var (status, _) = await site.Agents[0].PollAsync(0, AgentProtocolV1.MaxWaitSeconds + 1);
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }
}
