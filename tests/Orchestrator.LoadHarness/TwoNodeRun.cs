using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.LoadHarness;

/// <summary>
/// <c>--nodes 2</c>: two server processes on one throwaway PostgreSQL database, N virtual agents split between them
/// (even agents start on node A, odd ones on node B; each knows both URLs and fails over as the real agent does, see
/// <see cref="NodeFailoverHandler"/>). Groups mix both halves, so every opening crosses nodes. Two windows:
/// <list type="number">
/// <item>Both nodes up: ad-hoc runs created through A; open and close propagation per first node and overall; an
/// ingest burst while the runs are open, then a raw Npgsql binary-COPY loop into a copy of the same table
/// (<see cref="RawCopyLoop"/>).</item>
/// <item>Failover: runs created through A again; at mid-window A is killed with SIGKILL; the time until each agent that
/// was on A has its long-poll parked on B, then the close (now B's work) reaching every agent.</item>
/// </list>
/// RSS (connected, peak) and CPU seconds per node; A's are read just before it is killed.
/// </summary>
internal sealed class TwoNodeRun(Settings settings)
{
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly List<string> _gaveUp = [];

    public async Task<int> RunAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        var ct = deadline.Token;
        var dataDirectory = Directory.CreateTempSubdirectory("orchestrator-load-").FullName;
        var adminKey = "load-harness-admin-" + Guid.NewGuid().ToString("N");
        Say($"two nodes on PostgreSQL: agents={settings.Agents} groupSize={settings.GroupSize} openSeconds={settings.OpenSeconds} data={dataDirectory} load={Load()}");
        await using var nodes = await PostgresNodes.StartAsync(settings.ServerDll, dataDirectory, adminKey, ct);
        Say($"PostgreSQL in {nodes.ClusterDirectory}; node A pid {nodes.A.Pid} at {nodes.A.BaseAddress}, node B pid {nodes.B.Pid} at {nodes.B.BaseAddress}");
        var urls = new[] { nodes.A.BaseAddress, nodes.B.BaseAddress };

        using var failover = new NodeFailoverHandler { InnerHandler = Loopback.Handler(settings.SourceAddresses) };
        using var http = new HttpClient(failover, disposeHandler: false) { BaseAddress = nodes.A.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var fleet = new Fleet(http, _time, settings.ReportConcurrency, settings.TrafficRowsPerReport);
        using var httpA = new HttpClient { BaseAddress = nodes.A.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var httpB = new HttpClient { BaseAddress = nodes.B.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var adminA = new Admin(httpA, adminKey);
        var adminB = new Admin(httpB, adminKey);

        // As the single-node run: groups of GroupSize endpoints by tag, one yearly window each, opened ad hoc.
        var groups = (settings.Agents + settings.GroupSize - 1) / settings.GroupSize;
        var (windowIds, tokens) = await adminA.CreateGroupsAsync(groups, ct);

        // Each agent enrolls through its first node; its credential works on both (one database).
        var enrollClock = Stopwatch.StartNew();
        var agents = new VirtualAgent[settings.Agents];
        await Parallel.ForAsync(0, settings.Agents, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, c) =>
        {
            var group = i / settings.GroupSize;
            var first = i % 2;
            var address = Addresses.Of(i + 1);
            var tag = Admin.GroupName(group);
            using var response = await http.PostAsJsonAsync(
                new Uri(urls[first], AgentProtocolV1.EnrollPath),
                new EnrollRequestV1(tokens[group], Inv($"agent-{i:D5}"), [address], "linux", [tag], "load-harness"), Fleet.Json, c);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(Inv($"enroll {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(c)}"));
            }

            var credential = (await response.Content.ReadFromJsonAsync<EnrollResponseV1>(Fleet.Json, c))!;
            var groupFirst = group * settings.GroupSize;
            agents[i] = new VirtualAgent(i, group, address, credential, groupFirst, Math.Min(settings.GroupSize, settings.Agents - groupFirst), settings.PeerSets, settings.AckByPoll)
            {
                Nodes = new AgentNodes([urls[first], urls[1 - first]], fleet.NowMs),
            };
        });
        var enrollSeconds = enrollClock.Elapsed.TotalSeconds;
        Say(Inv($"enrolled {settings.Agents} agents ({agents.Count(OnA)} through A, {agents.Count(a => !OnA(a))} through B) in {groups} groups in {enrollSeconds:F1} s"));

        using var stopAgents = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var connectClock = Stopwatch.StartNew();
        var loops = new List<Task>(settings.Agents * 2);
        foreach (var agent in agents)
        {
            loops.Add(Task.Run(() => agent.PollLoopAsync(fleet, stopAgents.Token), CancellationToken.None));
        }

        loops.AddRange(VirtualAgent.StartReporting(agents, fleet, TimeSpan.FromSeconds(settings.ReportIntervalSeconds), stopAgents.Token));

        await WaitUntilAsync(() => agents.All(a => a.FirstStateAt != 0), TimeSpan.FromSeconds(120), "every agent's first state", ct);
        Say(Inv($"all {settings.Agents} agents connected in {connectClock.Elapsed.TotalSeconds:F1} s; settling {settings.SettleSeconds} s"));
        await Task.Delay(TimeSpan.FromSeconds(settings.SettleSeconds), ct);
        var connectedA = nodes.A.Sample();
        var connectedB = nodes.B.Sample();
        var postgresConnected = nodes.CpuSeconds();
        Say(Inv($"connected: node A rss {connectedA.RssMiB:F0} MiB (peak {connectedA.PeakRssMiB:F0}), node B rss {connectedB.RssMiB:F0} MiB (peak {connectedB.PeakRssMiB:F0})"));

        // Window 1, both nodes up.
        var first = await OpenAsync(adminA, agents, windowIds, "both nodes up", ct);
        var (ingestRowsPerSecond, ingestCpuA, ingestCpuB) = await IngestAsync(fleet, agents, nodes, ct);
        var rawPerReport = settings.IngestSeconds == 0 ? 0 : await RawCopyLoop.MeasureAsync(nodes.ConnectionString, settings.IngestRowsPerReport, TimeSpan.FromSeconds(5), ct);
        var rawBulk = settings.IngestSeconds == 0 ? 0 : await RawCopyLoop.MeasureAsync(nodes.ConnectionString, 100_000, TimeSpan.FromSeconds(5), ct);
        Say(Inv($"raw Npgsql binary COPY into a copy of peer_traffic (same indexes): {rawPerReport:F0} rows/s at {settings.IngestRowsPerReport} rows per COPY; {rawBulk:F0} rows/s at 100,000"));
        Say(Inv($"ingest / raw (same rows per commit) = {Ratio(ingestRowsPerSecond, rawPerReport):F2}; ingest / raw (100k per COPY) = {Ratio(ingestRowsPerSecond, rawBulk):F2}"));
        var firstClose = await CloseAsync(adminA, agents, first, "both nodes up", ct);
        var movedEarly = agents.Count(a => a.Nodes!.Current != a.Nodes.Urls[0]);
        if (movedEarly > 0)
        {
            Say(Inv($"{movedEarly} agents left their first node with both nodes up"));
        }

        // Window 2: node A is killed at mid-window. The closed runs' reports are written first (as windows do not
        // follow each other within seconds), so that work does not weigh on the second opening.
        await Task.Delay(TimeSpan.FromSeconds(settings.SettleSeconds), ct);
        foreach (var agent in agents)
        {
            agent.StartCycle();
        }

        var second = await OpenAsync(adminA, agents, windowIds, "failover window", ct);
        var midWindow = second.PlannedStart.Min() + (settings.OpenSeconds * 1000L / 2);
        if (midWindow > fleet.NowMs())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(midWindow - fleet.NowMs()), ct);
        }

        var beforeKill = (Poll: fleet.Counters.PollErrors, Report: fleet.Counters.ReportErrors);
        var lastA = nodes.A.Sample();
        var victims = agents.Where(a => a.Nodes!.Current == nodes.A.BaseAddress).ToArray();
        var killedAt = fleet.NowMs();
        await nodes.A.KillAsync();
        Say(Inv($"killed node A (SIGKILL) {(killedAt - second.PlannedStart.Min()) / 1000.0:F1} s into the window; {victims.Length} agents were on it"));
        var parkedAt = new Dictionary<int, long>();
        await WaitUntilAsync(() =>
        {
            foreach (var victim in victims)
            {
                var n = victim.Nodes!;
                if (!parkedAt.ContainsKey(victim.Index) && n.ParkedSince > killedAt && n.Urls[n.ParkedOn] == nodes.B.BaseAddress)
                {
                    parkedAt[victim.Index] = n.ParkedSince;
                }
            }

            return parkedAt.Count == victims.Length;
        }, TimeSpan.FromSeconds(60), "every agent of node A parked on node B", ct);
        var failoverParked = Percentiles.Of(parkedAt.Values.Select(at => (double)(at - killedAt)).ToList());
        Say(Inv($"failover, kill → long-poll parked on node B: {failoverParked}"));
        // Parked means accepted: a poll B refused or dropped would have cleared its mark by now.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var notParked = victims.Count(v => v.Nodes!.ParkedSince == 0 || v.Nodes.Urls[v.Nodes.ParkedOn] != nodes.B.BaseAddress);
        if (notParked > 0)
        {
            _gaveUp.Add(Inv($"{notParked} agents of node A not parked on node B 2 s after they moved"));
        }

        var secondClose = await CloseAsync(adminB, agents, second, "failover window", ct);
        var victimIndexes = victims.Select(v => v.Index).ToHashSet();
        var closeFailedOver = Percentiles.Of(agents.Where(a => victimIndexes.Contains(a.Index) && a.ClosedReceivedAt != 0)
            .Select(a => (double)(a.ClosedReceivedAt - second.PlannedEnd[a.Group])).ToList());
        var closeStayed = Percentiles.Of(agents.Where(a => !victimIndexes.Contains(a.Index) && a.ClosedReceivedAt != 0)
            .Select(a => (double)(a.ClosedReceivedAt - second.PlannedEnd[a.Group])).ToList());
        Say(Inv($"failover close (from window end), agents that moved from A: {closeFailedOver}; agents that stayed on B: {closeStayed}"));

        await stopAgents.CancelAsync();
        await Task.WhenAll(loops);
        var endB = nodes.B.Sample();
        var postgresCpu = nodes.CpuSeconds() - postgresConnected;
        var counters = fleet.Counters;
        var failoverErrors = (Poll: counters.PollErrors - beforeKill.Poll, Report: counters.ReportErrors - beforeKill.Report);
        Say(Inv($"node A (until killed): peak rss {lastA.PeakRssMiB:F0} MiB, cpu {lastA.CpuSeconds:F1} s; node B: peak rss {endB.PeakRssMiB:F0} MiB, cpu {endB.CpuSeconds:F1} s; PostgreSQL {(postgresCpu is { } pg ? Inv($"{pg:F1}") : "(unreadable)")} CPU-s from connected to the end"));
        Say(Inv($"states {counters.States}, 304s {counters.NotModified}, poll errors {counters.PollErrors} ({failoverErrors.Poll} after the kill), reports {counters.Reports}, report errors {counters.ReportErrors} ({failoverErrors.Report} after the kill); load {Load()}"));

        var result = new
        {
            at = _time.GetUtcNow(),
            mode = "two-nodes-postgres",
            settings.Agents,
            settings.GroupSize,
            settings.OpenSeconds,
            load = Load(),
            enrollSeconds,
            open = first.FromOpenedAt,
            openFromStart = first.FromStart,
            close = firstClose.FromClosedAt,
            closeFromEnd = firstClose.FromEnd,
            ingestRowsPerSecond,
            ingestCpuSeconds = new { a = ingestCpuA, b = ingestCpuB },
            rawCopyPerReport = rawPerReport,
            rawCopyBulk = rawBulk,
            ratioSameCommit = Ratio(ingestRowsPerSecond, rawPerReport),
            ratioBulk = Ratio(ingestRowsPerSecond, rawBulk),
            movedWithBothNodesUp = movedEarly,
            failover = new
            {
                killedAfterSeconds = (killedAt - second.PlannedStart.Min()) / 1000.0,
                agentsOnKilledNode = victims.Length,
                parked = failoverParked,
                open = second.FromStart,
                closeFromEnd = secondClose.FromEnd,
                closeFromClosedAt = secondClose.FromClosedAt,
                closeFromEndMoved = closeFailedOver,
                closeFromEndStayed = closeStayed,
                pollErrorsAfterKill = failoverErrors.Poll,
                reportErrorsAfterKill = failoverErrors.Report,
            },
            nodeA = new { connectedRssMiB = connectedA.RssMiB, peakRssMiB = lastA.PeakRssMiB, cpuSeconds = lastA.CpuSeconds, killed = true },
            nodeB = new { connectedRssMiB = connectedB.RssMiB, peakRssMiB = endB.PeakRssMiB, cpuSeconds = endB.CpuSeconds },
            postgresCpuSecondsFromConnected = postgresCpu,
            pollErrors = counters.PollErrors,
            reportErrors = counters.ReportErrors,
            label = settings.Label,
        };
        return await RunEnd.FinishAsync(result, settings, () => nodes.DisposeAsync(), dataDirectory, _gaveUp, counters);
    }

    /// <summary>One ad-hoc run per window through <paramref name="admin"/>; waits until every agent holds its opening.</summary>
    private async Task<Cycle> OpenAsync(Admin admin, VirtualAgent[] agents, long[] windowIds, string what, CancellationToken ct)
    {
        var groups = windowIds.Length;
        var cycle = new Cycle(windowIds, await admin.StartRunsAsync(windowIds, settings.OpenSeconds, ct), new long[groups], new long[groups], new long[groups]);
        await Parallel.ForAsync(0, groups, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (g, c) =>
        {
            var run = await admin.WaitForRunAsync(windowIds[g], cycle.RunIds[g], "openedAt", c);
            (cycle.OpenedAt[g], cycle.PlannedStart[g], cycle.PlannedEnd[g]) = (Admin.TimeOf(run, "openedAt"), Admin.TimeOf(run, "plannedStart"), Admin.TimeOf(run, "plannedEnd"));
        });
        await WaitUntilAsync(() => agents.All(a => a.OpenReceivedAt != 0), TimeSpan.FromSeconds(settings.OpenSeconds), $"every agent holding its open state ({what})", ct);
        cycle.FromOpenedAt = PerNode(agents, a => a.OpenReceivedAt == 0 ? null : a.OpenReceivedAt - cycle.OpenedAt[a.Group]);
        cycle.FromStart = PerNode(agents, a => a.OpenReceivedAt == 0 ? null : a.OpenReceivedAt - cycle.PlannedStart[a.Group]);
        Say($"open, {what} (from openedAt): {cycle.FromOpenedAt}");
        Say($"open, {what} (from window start): {cycle.FromStart}");
        return cycle;
    }

    /// <summary>Waits for the runs' close (the planned end) and every agent holding its closed state.</summary>
    private async Task<(NodeFigures FromClosedAt, NodeFigures FromEnd)> CloseAsync(Admin admin, VirtualAgent[] agents, Cycle cycle, string what, CancellationToken ct)
    {
        var closedAt = new long[cycle.RunIds.Length];
        await Parallel.ForAsync(0, cycle.RunIds.Length, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (g, c) =>
            closedAt[g] = Admin.TimeOf(await admin.WaitForRunAsync(cycle.WindowIds[g], cycle.RunIds[g], "closedAt", c, notBeforeMs: cycle.PlannedEnd[g]), "closedAt"));
        await WaitUntilAsync(() => agents.All(a => a.ClosedReceivedAt != 0), TimeSpan.FromSeconds(60), $"every agent holding its closed state ({what})", ct);
        // As the single-node run: an agent that saw the close between the planned end and closedAt counts as 0.
        var fromClosedAt = PerNode(agents, a => a.ClosedReceivedAt == 0 ? null : Math.Max(0, a.ClosedReceivedAt - closedAt[a.Group]));
        var fromEnd = PerNode(agents, a => a.ClosedReceivedAt == 0 ? null : a.ClosedReceivedAt - cycle.PlannedEnd[a.Group]);
        Say($"close, {what} (from closedAt): {fromClosedAt}");
        Say($"close, {what} (from window end): {fromEnd}");
        return (fromClosedAt, fromEnd);
    }

    /// <summary>As the single-node burst: large reports from the agents' own credentials, each to its agent's node.</summary>
    private async Task<(double RowsPerSecond, double CpuA, double CpuB)> IngestAsync(Fleet fleet, VirtualAgent[] agents, PostgresNodes nodes, CancellationToken ct)
    {
        var rowsBefore = fleet.Counters.TrafficRows;
        var errorsBefore = fleet.Counters.ReportErrors;
        var (cpuA, cpuB) = (nodes.A.Sample().CpuSeconds, nodes.B.Sample().CpuSeconds);
        var clock = Stopwatch.StartNew();
        if (settings.IngestSeconds > 0)
        {
            using var burst = CancellationTokenSource.CreateLinkedTokenSource(ct);
            burst.CancelAfter(TimeSpan.FromSeconds(settings.IngestSeconds));
            await Task.WhenAll(Enumerable.Range(0, settings.IngestSenders).Select(sender => Task.Run(async () =>
            {
                // A report in flight is finished, not cancelled (the rate is taken over the time they all took): the
                // failover handler, like the real agent's, moves an agent whose request is cancelled to its other node.
                for (var next = sender; !burst.IsCancellationRequested; next += settings.IngestSenders)
                {
                    await agents[next % agents.Length].ReportAsync(fleet, settings.IngestRowsPerReport, ct, throttled: false);
                }
            }, CancellationToken.None)));
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var rowsPerSecond = (fleet.Counters.TrafficRows - rowsBefore) / seconds;
        var (usedA, usedB) = (nodes.A.Sample().CpuSeconds - cpuA, nodes.B.Sample().CpuSeconds - cpuB);
        Say(Inv($"ingest: {rowsPerSecond:F0} rows/s over {seconds:F1} s through both nodes (reports of {settings.IngestRowsPerReport} rows plus the periodic reports; {fleet.Counters.ReportErrors - errorsBefore} report errors; node A {usedA:F1} CPU-s, node B {usedB:F1} CPU-s)"));
        return (rowsPerSecond, usedA, usedB);
    }

    private static bool OnA(VirtualAgent agent) => agent.Index % 2 == 0;

    /// <summary>Percentiles over every agent, and over the agents whose first node is A and B.</summary>
    private static NodeFigures PerNode(VirtualAgent[] agents, Func<VirtualAgent, long?> value)
    {
        Percentiles Of(Func<VirtualAgent, bool> which) =>
            Percentiles.Of(agents.Where(which).Select(value).OfType<long>().Select(v => (double)v).ToList());
        return new NodeFigures(Of(_ => true), Of(OnA), Of(a => !OnA(a)));
    }

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit, string what, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Say($"gave up waiting for {what} after {limit.TotalSeconds:F0} s");
                _gaveUp.Add($"gave up waiting for {what}");
                return;
            }

            await Task.Delay(20, ct);
        }
    }

    private void Say(string line) => Console.WriteLine(Inv($"[{_time.GetLocalNow():HH:mm:ss}] {line}"));

    private static string Load() => File.ReadAllText("/proc/loadavg").Trim();

    private static double Ratio(double value, double of) => of > 0 ? value / of : 0;

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>One window's runs, per group.</summary>
    private sealed record Cycle(long[] WindowIds, long[] RunIds, long[] OpenedAt, long[] PlannedStart, long[] PlannedEnd)
    {
        public NodeFigures FromOpenedAt { get; set; } = null!;

        public NodeFigures FromStart { get; set; } = null!;
    }
}

/// <summary>One figure over all agents and per first node (serialized as all / nodeA / nodeB).</summary>
internal sealed record NodeFigures(Percentiles All, Percentiles NodeA, Percentiles NodeB)
{
    public override string ToString() => $"all {All}; first node A {NodeA}; first node B {NodeB}";
}
