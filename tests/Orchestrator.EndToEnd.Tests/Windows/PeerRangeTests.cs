using Orchestrator.EndToEnd.Tests.Lab;
using Orchestrator.EndToEnd.Tests.Probes;
using Orchestrator.Testing.Lab;

namespace Orchestrator.EndToEnd.Tests.Windows;

/// <summary>
/// Groups whose members' addresses form one contiguous range, and groups that do not: a run opens 7680 between the
/// members only — a non-member whose address lies between members stays blocked — and the kernel closes it at the
/// planned end. Real server, real agents, real nft, real TCP probes. The LAN numbers hosts in order from 198.18.0.2
/// (198.18.0.1 is the server).
/// </summary>
[Collection(EndToEndSerial.Name)]
public sealed class PeerRangeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(20);

    private readonly Figures figures = new(output);

    [Fact]
    public async Task A_contiguous_group_opens_between_its_members_only_and_closes_at_the_planned_end()
    {
        // m1-m3 = 198.18.0.2-198.18.0.4, one range; x4 = 198.18.0.5, the next address, is in no group.
        var (range, serverSendsPeerSets) = await RunGroupAsync(["m1", "m2", "m3", "x4"], members: ["m1", "m2", "m3"], outsider: "x4");

        // A server that serves peer sets sends them to these agents (they ask for them), so the contiguous members reach
        // m1 as one range element; a server without the feature lists them inline and each is a single element.
        figures.Print($"server serves peer sets: {serverSendsPeerSets}; m1 held a range element: {range}");
        Assert.Equal(serverSendsPeerSets, range);
    }

    [Fact]
    public async Task A_non_contiguous_group_keeps_the_non_member_between_its_members_blocked_and_closes_at_the_planned_end()
    {
        // m1, m2, m4 = 198.18.0.2, .3, .5; x3 = 198.18.0.4 lies between them and is in no group.
        await RunGroupAsync(["m1", "m2", "x3", "m4"], members: ["m1", "m2", "m4"], outsider: "x3");
    }

    /// <summary>Runs the group's window now and asserts who gets in, what each agent installed and when the port closes.
    /// Returns whether m1's allow set held a range element and whether the server serves peer sets at all.</summary>
    private async Task<(bool HadRange, bool ServerSendsPeerSets)> RunGroupAsync(IReadOnlyList<string> hosts, IReadOnlyList<string> members, string outsider)
    {
        LabPrerequisites.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await OrchestratorLab.StartAsync(hosts, output, ct);
        await lab.StartContentServersAsync(hosts, 4096);
        await lab.Api.CreateGroupAsync("group", members, ct);
        var window = await lab.Api.CreateOneOffWindowAsync("e2e-ranges", Clock.Now + TimeSpan.FromDays(1), TimeSpan.FromMinutes(5), ["group"], ct);
        var watch = new PortWatch(lab.Network, new TrafficLedger());
        var run = await lab.Api.StartRunAsync(window.Id, Duration, ct);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var openBy = Clock.Now + TimeSpan.FromSeconds(10);

        // Every member reaches every other member (each agent applies the opening on its own, so each pair is awaited, not
        // only the first); the outsider reaches none, though members surround its address.
        var hadRange = false;
        foreach (var target in members)
        {
            foreach (var source in members.Where(m => m != target))
            {
                var fetch = await watch.UntilOpenAsync(source, target, openBy, ct);
                Assert.True(fetch is not null, $"member {source} could not reach member {target}:7680 within 10 s of the run's start");
                figures.Print($"{source} -> {target}:7680 open {started.Elapsed.TotalMilliseconds:0} ms after the run was started");
            }

            var stranger = await watch.FetchAsync(outsider, target, TimeSpan.FromMilliseconds(400));
            Assert.False(stranger.Connected, $"non-member {outsider} ({lab[outsider]}) reached member {target}:7680");

            // The agent's elements admit exactly the other members: never the outsider, never a wider range.
            var listing = await AllowSetListing.ReadAsync(lab.Network, target);
            Assert.Equal(members.Where(m => m != target).Select(m => lab[m]).ToHashSet(), listing.Addresses);
            figures.Print($"{target} allow set: {listing}");
            hadRange |= target == members[0] && listing.HasRange;
        }

        // The end: the kernel expires the elements at the planned end.
        var closed = await watch.UntilClosedAsync(members[0], members[1], run.PlannedEnd,
            watchFrom: run.PlannedEnd - TimeSpan.FromSeconds(2), settle: TimeSpan.FromSeconds(2), giveUpAt: run.PlannedEnd + TimeSpan.FromSeconds(10), ct);
        figures.Print($"close {members[0]} -> {members[1]}:7680: {closed}");
        Assert.NotNull(closed.FirstClosed);
        Assert.True(closed.ClosedBy <= TimeSpan.FromSeconds(1), $"{members[0]} -> {members[1]}:7680 still open after the planned end: {closed}");
        Assert.True(closed.LastSeenOpen >= TimeSpan.FromSeconds(-1), $"{members[0]} -> {members[1]}:7680 closed before the planned end: {closed}");
        return (hadRange, await ServesPeerSetsAsync(lab, ct));
    }

    /// <summary>Whether the server has the peer-set route: without an agent credential an existing agent route answers
    /// 401, a route the server does not have answers 404.</summary>
    private static async Task<bool> ServesPeerSetsAsync(OrchestratorLab lab, CancellationToken ct)
    {
        using var response = await lab.Api.Http.GetAsync($"{Orchestrator.Protocol.AgentProtocolV1.PeerSetsPath}/{new string('0', 64)}", ct);
        return response.StatusCode != System.Net.HttpStatusCode.NotFound;
    }
}
