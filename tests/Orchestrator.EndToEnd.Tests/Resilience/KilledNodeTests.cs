using Orchestrator.EndToEnd.Tests.Api;
using Orchestrator.EndToEnd.Tests.Lab;
using Orchestrator.EndToEnd.Tests.Probes;
using Orchestrator.Testing.Lab;
using Orchestrator.Testing.Postgres;
using Orchestrator.Testing.Server;

namespace Orchestrator.EndToEnd.Tests.Resilience;

/// <summary>
/// Two server nodes on one PostgreSQL database, agents parked on both, a scheduled window for group A (a1, a2, a3);
/// b1 (group B) stays out. The node that opened the run is SIGKILLed mid-window: the members keep reaching each other,
/// the agents that were on the dead node move to the survivor, the port closes at the planned end, the survivor closes
/// the run (Ended), and the run's report counts every byte the probes moved once: the reports the agents sent to the
/// dead node were committed in PostgreSQL, a report in flight at the kill is resent to the survivor with the same
/// report id, and later ones go to the survivor.
/// </summary>
[Collection(EndToEndSerial.Name)]
public sealed class KilledNodeTests(ITestOutputHelper output)
{
    private const string WindowName = "e2e-two-nodes";

    /// <summary>What a1 and a2 serve per connection: each pair moves it once at the open, once right before the kill
    /// and once after the failover, so a lost or doubled report shows as a third of a pair's bytes.</summary>
    private const long BulkBytes = 1024 * 1024;

    /// <summary>What a3 serves per connection: the close watch connects to a3 every few milliseconds, and small content
    /// keeps those bytes from drowning the bulk transfers.</summary>
    private const long SmallBytes = 16 * 1024;

    private static readonly TimeSpan Lead = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(40);

    /// <summary>The kill comes this long before the planned end: mid-window, and within the 30 s for which Quartz
    /// acquires triggers ahead, so the node holding the end trigger may well be the one that dies.</summary>
    private static readonly TimeSpan KillBeforeEnd = TimeSpan.FromSeconds(20);

    /// <summary>As in <see cref="KilledProcessTests"/>: the kernel alone ends an opening within a second (whole
    /// seconds rounded up) plus the apply delay of the planned end, whichever node sends the close and when.</summary>
    private static readonly TimeSpan KernelCloseBound = TimeSpan.FromSeconds(2);

    /// <summary>A node killed under a parked long-poll resets its connections: the agent resends at once.</summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(5);

    /// <summary>The survivor closes a run whose end trigger the dead node held once Quartz declares that node dead
    /// (check-in 2 s + misfire threshold 3 s, <see cref="ServerSettings.ClusterNode"/>) plus job polling.</summary>
    private static readonly TimeSpan TakeoverCloseBound = TimeSpan.FromSeconds(15);

    /// <summary>The agents count IP packets (headers included; segmentation offload makes it vary), the probes count
    /// payload: a count can only be above the payload, by a few per cent. A lost report costs a third of a bulk pair's
    /// bytes, a doubled one adds a third.</summary>
    private const double HeaderOverhead = 0.06;

    /// <summary>A connection cut by the close may have been counted by the firewall but not fully read.</summary>
    private const long CutConnectionSlack = SmallBytes;

    /// <summary>A bulk transfer is not a close probe: on a loaded machine the content server may pause for longer than
    /// the probes' half second (seen at load average 44 on 2 cores) without anything being wrong with the port, and a
    /// fetch given up early leaves bytes the firewall counted but the probe never read.</summary>
    private static readonly TimeSpan TransferIdleTimeout = TimeSpan.FromSeconds(5);

    /// <summary>(receiving, serving) host pairs that move <see cref="BulkBytes"/> at each step.</summary>
    private static readonly (string From, string To)[] BulkPairs = [("a2", "a1"), ("a3", "a1"), ("a1", "a2"), ("a3", "a2")];

    private static readonly string[] Members = ["a1", "a2", "a3"];

    private readonly Figures figures = new(output);

    [Fact]
    public async Task Port_closes_on_time_and_the_report_counts_every_byte_once_when_the_node_that_opened_the_run_is_killed()
    {
        LabPrerequisites.Require();
        PostgresPrerequisites.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var postgres = await PostgresCluster.StartAsync(ct);
        await postgres.CreateDatabaseAsync("e2e_two_nodes", ct);
        // Through the cluster's Unix socket: the nodes run inside their own network namespaces, which have no route to
        // the loopback address the cluster listens on, and a socket file is reachable from every namespace.
        await using var lab = await OrchestratorLab.StartClusterAsync(
            ["a1", "a2", "a3", "b1"], nodeCount: 2, postgres.SocketConnectionString("e2e_two_nodes"), output, ct);
        await lab.StartContentServersAsync(["a1", "a2"], BulkBytes);
        await lab.StartContentServersAsync(["a3"], SmallBytes);
        var ledger = new TrafficLedger();
        var watch = new PortWatch(lab.Network, ledger);

        // Made through the second node: both nodes serve one database, and the first node's scheduler may fire it.
        var second = lab.Nodes[1].Api;
        await second.CreateGroupAsync("group-a", Members, ct);
        await second.CreateGroupAsync("group-b", ["b1"], ct);
        var now = Clock.Now;
        var start = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero) + Lead;
        var window = await second.CreateOneOffWindowAsync(WindowName, start, Duration, ["group-a"], ct);

        // The open: every member pair connects (the first transfer of each pair).
        await Clock.DelayUntilAsync(start - TimeSpan.FromSeconds(1), ct);
        foreach (var (from, to) in BulkPairs)
        {
            var opened = await watch.UntilOpenAsync(from, to, start + TimeSpan.FromSeconds(20), ct, TransferIdleTimeout);
            Assert.True(opened is { Outcome: "completed", Bytes: BulkBytes }, $"{from} -> {to}:7680 did not open: {opened}");
        }

        var run = await lab.WaitForRunAsync(window.Id, r => r.OpenedAt is not null, TimeSpan.FromSeconds(10), ct, via: second);
        var opener = await OpenerAsync(lab, run.Id, ct);
        var survivor = lab.Nodes.Single(n => n != opener);
        var onDeadNode = lab.Agents.Keys.Where(h => lab.NodesOf(h)[0] == opener).Order(StringComparer.Ordinal).ToList();
        figures.Print($"run {run.Id} opened {(run.OpenedAt!.Value - run.PlannedStart).TotalMilliseconds:0} ms after its planned start by node {opener}; " +
                      $"agents parked on it: {string.Join(", ", onDeadNode)}");
        Assert.NotEmpty(onDeadNode);
        await AssertOutsiderBlockedAsync(watch, "before the kill");

        // Right before the kill every pair moves its second share, so the reports carrying it are being sent at the
        // kill: committed by the dead node, in flight (resent to the survivor with the same report id) or not yet sent.
        await Clock.DelayUntilAsync(run.PlannedEnd - KillBeforeEnd, ct);
        await MoveOnEveryPairAsync(watch, "before the kill");
        var moves = onDeadNode.Select(h => MovedToAsync(lab.Agents[h], survivor)).ToList();
        var killedAt = Clock.Now;
        opener.Process.Kill();
        await opener.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        figures.Print($"node {opener} SIGKILLed {(killedAt - run.PlannedStart).TotalSeconds:0.0} s into the run, {(run.PlannedEnd - killedAt).TotalSeconds:0.0} s before its end");

        var movedAt = await Task.WhenAll(moves);
        for (var i = 0; i < onDeadNode.Count; i++)
        {
            var failover = movedAt[i] - killedAt;
            figures.Print($"failover: {onDeadNode[i]}'s agent moved to {survivor} {failover.TotalMilliseconds:0} ms after the kill");
            Assert.True(failover <= FailoverBound, $"{onDeadNode[i]}'s agent moved {failover.TotalSeconds:0.0} s after the kill");
        }

        // The rest of the window: members still reach each other (the third share), b1 is still refused.
        var during = await survivor.Api.GetRunAsync(run.Id, ct);
        Assert.True(during.Run.IsOpen, $"the run must stay open after the kill; the survivor says {during.Run.State} ({during.Run.CloseReason})");
        await MoveOnEveryPairAsync(watch, "after the kill");
        await AssertOutsiderBlockedAsync(watch, "after the kill");

        // The end: closed at the planned end (watched on a3, whose agent may have been on either node), and every
        // bulk pair closed too.
        var closed = await watch.UntilClosedAsync("a1", "a3", run.PlannedEnd,
            watchFrom: run.PlannedEnd - TimeSpan.FromSeconds(2), settle: TimeSpan.FromSeconds(2), giveUpAt: run.PlannedEnd + TimeSpan.FromSeconds(10), ct);
        figures.Print($"close a1 -> a3:7680 with one node dead: {closed}");
        Assert.NotNull(closed.FirstClosed);
        Assert.True(closed.ClosedBy <= KernelCloseBound, $"a1 -> a3:7680 still open after the planned end: {closed}");
        Assert.True(closed.LastSeenOpen >= TimeSpan.FromSeconds(-1), $"a1 -> a3:7680 closed before the planned end: {closed}");
        foreach (var (from, to) in BulkPairs)
        {
            var after = await watch.FetchAsync(from, to, TimeSpan.FromSeconds(1));
            Assert.False(after.Connected, $"{from} -> {to}:7680 still open {(after.StartedAt - run.PlannedEnd).TotalSeconds:0.0} s after the planned end");
        }

        // The survivor closed the run, as planned.
        var final = await lab.WaitForRunAsync(window.Id, r => r.ClosedAt is not null, TimeSpan.FromSeconds(30), ct, via: survivor.Api);
        var lateness = final.ClosedAt!.Value - final.PlannedEnd;
        figures.Print($"run {final.Id} closed by the survivor {lateness.TotalMilliseconds:0} ms after the planned end ({final.CloseReason})");
        Assert.Equal("Ended", final.CloseReason);
        Assert.True(lateness >= TimeSpan.Zero, $"closed {-lateness.TotalMilliseconds:0} ms before its planned end");
        Assert.True(lateness <= TakeoverCloseBound, $"closed {lateness.TotalSeconds:0.0} s after its planned end");
        await survivor.Process.WaitForLineAsync(l => l.Contains(RunLogLines.Closed(run.Id, WindowName, "Ended"), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.True(opener.Process.HasExited, "the opener must stay dead for this test to mean anything");

        // Every member acknowledged the close, necessarily through the survivor (also those that were on the dead node).
        var members = await MembersWhenCloseAckedAsync(survivor.Api, run.Id, ct);
        foreach (var member in members)
        {
            figures.Print($"member {member.Hostname}: close acknowledged {(member.CloseAckedAt - final.PlannedEnd)?.TotalMilliseconds:0} ms after the planned end ({member.CloseState ?? "no close state"})");
            Assert.NotNull(member.CloseAckedAt);
        }

        // The report, through the survivor: every pair's bytes and every member's served and received bytes, once.
        var (traffic, report) = await WaitForReportAsync(lab, survivor.Api, run.Id, ledger, run.PlannedEnd + TimeSpan.FromSeconds(20), ct);
        foreach (var ((serving, receiving), moved) in ledger.Pairs.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
        {
            var reported = Reported(traffic, serving, lab[receiving].ToString());
            figures.Print($"traffic {serving} served {receiving}: moved {moved} bytes, reported {reported} bytes ({Deviation(moved, reported):+0.00;-0.00} %)");
            Assert.True(CountedOnce(moved, reported), $"{serving} -> {receiving}: moved {moved}, reported {reported} ({Deviation(moved, reported):+0.00;-0.00} %)");
        }

        foreach (var host in Members)
        {
            var row = Assert.Single(report.Endpoints, e => e.Hostname == host);
            var served = ledger.Pairs.Where(p => p.Key.Serving == host).Sum(p => p.Value);
            var received = ledger.Pairs.Where(p => p.Key.Receiving == host).Sum(p => p.Value);
            figures.Print($"report row {host}: served {row.BytesServed} of {served} moved ({Deviation(served, row.BytesServed):+0.00;-0.00} %), " +
                          $"received {row.BytesReceived} of {received} moved ({Deviation(received, row.BytesReceived):+0.00;-0.00} %)");
            Assert.True(CountedOnce(served, row.BytesServed), $"{host} served: moved {served}, reported {row.BytesServed}");
            Assert.True(CountedOnce(received, row.BytesReceived), $"{host} received: moved {received}, reported {row.BytesReceived}");
        }

        Assert.DoesNotContain(traffic.Transfers, t => t.ServingHostname == "b1" || t.ReceivingAddress == lab["b1"].ToString());
    }

    /// <summary>The node whose log says it opened <paramref name="runId"/> (it logs so just after the state change the
    /// API already showed); exactly one may have.</summary>
    private static async Task<LabNode> OpenerAsync(OrchestratorLab lab, long runId, CancellationToken ct)
    {
        var line = RunLogLines.Opened(runId, WindowName);
        var deadline = Clock.Now + TimeSpan.FromSeconds(10);
        while (true)
        {
            var openers = lab.Nodes.Where(n => n.Process.StandardOutput.Contains(line, StringComparison.Ordinal)).ToList();
            if (openers.Count > 0 || Clock.Now > deadline)
            {
                Assert.True(openers.Count == 1, $"run {runId} must be opened by exactly one node; opened by: {string.Join(", ", openers)}");
                return openers[0];
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    /// <summary>When <paramref name="agent"/> says it moved to <paramref name="node"/> (the agent logs it as it resends
    /// the failed request there).</summary>
    private static async Task<DateTimeOffset> MovedToAsync(LabProcess agent, LabNode node)
    {
        await agent.WaitForLineAsync(l => l.Contains("moving to " + node.AgentUrl, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return Clock.Now;
    }

    private async Task MoveOnEveryPairAsync(PortWatch watch, string when)
    {
        foreach (var (from, to) in BulkPairs)
        {
            var fetch = await watch.FetchAsync(from, to, TimeSpan.FromSeconds(1), TransferIdleTimeout);
            Assert.True((fetch.Outcome, fetch.Bytes) == ("completed", BulkBytes), $"{from} <- {to}:7680 {when}: {fetch.Outcome} after {fetch.Bytes} bytes");
        }

        figures.Print($"{when}: every member pair moved {BulkBytes} bytes");
    }

    private static async Task AssertOutsiderBlockedAsync(PortWatch watch, string when)
    {
        foreach (var member in (string[])["a1", "a2"])
        {
            var outsider = await watch.FetchAsync("b1", member, TimeSpan.FromMilliseconds(400));
            Assert.False(outsider.Connected, $"b1 (group B) reached {member}:7680 during group A's run, {when} ({outsider.Outcome})");
        }
    }

    private static async Task<IReadOnlyList<RunMember>> MembersWhenCloseAckedAsync(OpsClient api, long runId, CancellationToken ct)
    {
        var deadline = Clock.Now + TimeSpan.FromSeconds(15);
        while (true)
        {
            var members = (await api.GetRunAsync(runId, ct)).Members;
            if (members.All(m => m.CloseAckedAt is not null) || Clock.Now > deadline)
            {
                Assert.Equal(Members, members.Select(m => m.Hostname).Order(StringComparer.Ordinal));
                return members;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }

    /// <summary>The run's traffic and report once every pair is counted (agents report every second; the last report
    /// after the end comes a moment later), or as they are at <paramref name="giveUpAt"/>.</summary>
    private static async Task<(RunTraffic Traffic, RunReportInfo Report)> WaitForReportAsync(
        OrchestratorLab lab, OpsClient api, long runId, TrafficLedger ledger, DateTimeOffset giveUpAt, CancellationToken ct)
    {
        while (true)
        {
            var traffic = await api.GetTrafficAsync(runId, ct);
            var report = await api.GetRunReportAsync(runId, ct);
            var complete = ledger.Pairs.All(p => CountedOnce(p.Value, Reported(traffic, p.Key.Serving, lab[p.Key.Receiving].ToString())));
            if (complete || Clock.Now > giveUpAt)
            {
                return (traffic, report);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    /// <summary>At least the payload (a count holds headers too) and no more than the header overhead above it.</summary>
    private static bool CountedOnce(long moved, long reported) =>
        reported >= moved - CutConnectionSlack && reported <= moved * (1 + HeaderOverhead) + CutConnectionSlack;

    private static long Reported(RunTraffic traffic, string serving, string receivingAddress) => traffic.Transfers
        .Where(t => t.ServingHostname == serving && t.ReceivingAddress == receivingAddress)
        .Sum(t => t.Bytes);

    private static double Deviation(long moved, long reported) => moved == 0 ? 0 : (reported - moved) * 100.0 / moved;
}
