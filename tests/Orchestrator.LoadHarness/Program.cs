using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.LoadHarness;
using Orchestrator.Protocol;

// Load harness: N virtual agents against a real server process on loopback. Phases: enroll, connect (every agent
// holds its first state), open (ad-hoc runs; each agent's delay from its run's start, and from its openedAt, to the open state
// including the peer-set fetch; the bytes each agent received for it), ingest (report burst next to a raw SQLite insert loop;
// skipped with --ingest-seconds 0), close (planned end; delay from the run's planned end, and from its closedAt, to the closed
// state), then the runs' storage per member. Prints one results block and appends it as a JSON line to --out. Stops by
// itself after --timeout. --group-size equal to the agent count puts every agent in one group with one window.
// --nodes 2: two server processes on one throwaway PostgreSQL database instead, with a failover window (TwoNodeRun).
if (args is [] or ["--help" or "-h"])
{
    Console.WriteLine(Settings.Usage);
    return 0;
}

Settings settings;
try
{
    settings = Settings.Parse(args);
}
catch (ArgumentException e)
{
    // A wrong option changes nothing: it is named with what would be accepted, without a stack trace.
    await Console.Error.WriteLineAsync($"load-harness: {e.Message}");
    return 2;
}

if (settings.Nodes == 2)
{
    return await new TwoNodeRun(settings).RunAsync();
}

var gaveUp = new List<string>();
var time = TimeProvider.System;
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds));
var ct = deadline.Token;
var dataDirectory = Directory.CreateTempSubdirectory("orchestrator-load-").FullName;
var adminKey = "load-harness-admin-" + Guid.NewGuid().ToString("N");
void Say(string line) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{time.GetLocalNow():HH:mm:ss}] {line}"));

Say($"agents={settings.Agents} groupSize={settings.GroupSize} peerSets={settings.PeerSets} ackByPoll={settings.AckByPoll} reportIntervalSeconds={settings.ReportIntervalSeconds} openSeconds={settings.OpenSeconds} data={dataDirectory} load={File.ReadAllText("/proc/loadavg").Trim()}");
await using var server = await ServerProcess.StartAsync(settings.ServerDll, dataDirectory, adminKey, ct);
Say($"server pid {server.Pid} at {server.BaseAddress}");
using var handler = Loopback.Handler(settings.SourceAddresses);
using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
using var fleet = new Fleet(http, time, settings.ReportConcurrency, settings.TrafficRowsPerReport);
var admin = new Admin(http, adminKey);

// Groups of GroupSize endpoints by tag, one yearly window per group (opened ad hoc below); a token grants only the
// tags it lists: one token per group, granting that group's tag.
var groups = (settings.Agents + settings.GroupSize - 1) / settings.GroupSize;
var (windowIds, tokens) = await admin.CreateGroupsAsync(groups, ct);

var enrollClock = Stopwatch.StartNew();
var agents = new VirtualAgent[settings.Agents];
await Parallel.ForAsync(0, settings.Agents, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, c) =>
{
    var group = i / settings.GroupSize;
    var address = Addresses.Of(i + 1);
    var tag = Admin.GroupName(group);
    using var response = await http.PostAsJsonAsync(
        AgentProtocolV1.EnrollPath, new EnrollRequestV1(tokens[group], Inv($"agent-{i:D5}"), [address], "linux", [tag], "load-harness"), Fleet.Json, c);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException(Inv($"enroll {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(c)}"));
    }

    var credential = (await response.Content.ReadFromJsonAsync<EnrollResponseV1>(Fleet.Json, c))!;
    var first = group * settings.GroupSize;
    agents[i] = new VirtualAgent(i, group, address, credential, first, Math.Min(settings.GroupSize, settings.Agents - first), settings.PeerSets, settings.AckByPoll);
});
var enrollSeconds = enrollClock.Elapsed.TotalSeconds;
Say(Inv($"enrolled {settings.Agents} agents in {groups} groups in {enrollSeconds:F1} s"));

using var stopAgents = CancellationTokenSource.CreateLinkedTokenSource(ct);
var connectClock = Stopwatch.StartNew();
var loops = new List<Task>(settings.Agents * 2);
foreach (var agent in agents)
{
    loops.Add(Task.Run(() => agent.PollLoopAsync(fleet, stopAgents.Token), CancellationToken.None));
}

loops.AddRange(VirtualAgent.StartReporting(agents, fleet, TimeSpan.FromSeconds(settings.ReportIntervalSeconds), stopAgents.Token));

await WaitUntilAsync(() => agents.All(a => a.FirstStateAt != 0), TimeSpan.FromSeconds(120), "every agent's first state");
Say(Inv($"all {settings.Agents} agents connected in {connectClock.Elapsed.TotalSeconds:F1} s; settling {settings.SettleSeconds} s"));
await Task.Delay(TimeSpan.FromSeconds(settings.SettleSeconds), ct);
var connected = server.Sample();
var idleCpuStart = server.Sample().CpuSeconds;
var idleCounters = (fleet.Counters.Reports, fleet.Counters.NotModified);
await Task.Delay(TimeSpan.FromSeconds(10), ct);
var idleCpuPerSecond = (server.Sample().CpuSeconds - idleCpuStart) / 10;
var idleReportsPerSecond = (fleet.Counters.Reports - idleCounters.Reports) / 10.0;
Say(Inv($"connected: rss {connected.RssMiB:F0} MiB, peak {connected.PeakRssMiB:F0} MiB, {connected.Threads} threads; steady state {idleCpuPerSecond:F2} CPU-s/s at {idleReportsPerSecond:F0} reports/s"));
(double Min, double Avg, double Max)? heldRss = null;
if (settings.HoldConnectedSeconds > 0)
{
    // Agents keep polling and reporting meanwhile; RSS is sampled every second, since one sample depends on where the
    // GC happens to be (parked requests die in gen2 and wait there for the next full collection).
    Say(Inv($"holding {settings.HoldConnectedSeconds} s for inspection: server pid {server.Pid}"));
    var held = new List<double>();
    for (var s = 0; s < settings.HoldConnectedSeconds; s++)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        held.Add(server.Sample().RssMiB);
    }

    heldRss = (held.Min(), held.Average(), held.Max());
    Say(Inv($"held: rss min {heldRss.Value.Min:F0} / avg {heldRss.Value.Avg:F0} / max {heldRss.Value.Max:F0} MiB over {held.Count} s"));
}

if (settings.WarmUpSeconds > 0)
{
    // A window opened and closed first: its code paths are then compiled by the JIT's later tiers, as in a server that
    // has opened windows since its start, and the figures below are of that server rather than of its first window.
    // With --warm-up-cidr, one smaller window first: a group of the agents in that network only.
    var warmUp = Stopwatch.StartNew();
    var (warming, warmWindows) = settings.WarmUpNetwork is { } network
        ? (agents.Where(a => network.Contains(IPAddress.Parse(a.Address))).ToList(), new[] { await admin.CreateNetworkWindowAsync("load-warm-up", network, ct) })
        : (agents.ToList(), windowIds);
    var warmRuns = await admin.StartRunsAsync(warmWindows, settings.WarmUpSeconds, ct);
    await WaitUntilAsync(() => warming.All(a => a.OpenReceivedAt != 0), TimeSpan.FromSeconds(settings.WarmUpSeconds), "every agent holding the warm-up opening");
    await Parallel.ForAsync(0, warmWindows.Length, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (g, c) =>
        await admin.WaitForRunAsync(warmWindows[g], warmRuns[g], "closedAt", c, notBeforeMs: time.GetUtcNow().ToUnixTimeMilliseconds() + settings.WarmUpSeconds * 1000L));
    await WaitUntilAsync(() => warming.All(a => a.ClosedReceivedAt != 0), TimeSpan.FromSeconds(60), "every agent holding the warm-up close");
    foreach (var agent in agents)
    {
        agent.StartCycle();
    }

    fleet.Counters.StartCycle();
    await Task.Delay(TimeSpan.FromSeconds(settings.SettleSeconds), ct);
    Say(Inv($"warm-up window ({warming.Count} agents) opened and closed in {warmUp.Elapsed.TotalSeconds:F1} s; measuring the next one"));
}

// Open: one ad-hoc run per window, started together.
var openCpuStart = server.Sample().CpuSeconds;
var openClock = Stopwatch.StartNew();
var runIds = await admin.StartRunsAsync(windowIds, settings.OpenSeconds, ct);
var openedAt = new long[groups];
var plannedStart = new long[groups];
var plannedEnd = new long[groups];
await Parallel.ForAsync(0, groups, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (g, c) =>
{
    var run = await admin.WaitForRunAsync(windowIds[g], runIds[g], "openedAt", c);
    (openedAt[g], plannedStart[g], plannedEnd[g]) = (Admin.TimeOf(run, "openedAt"), Admin.TimeOf(run, "plannedStart"), Admin.TimeOf(run, "plannedEnd"));
});
await WaitUntilAsync(() => agents.All(a => a.OpenReceivedAt != 0), TimeSpan.FromSeconds(settings.OpenSeconds), "every agent holding its open state");
var openCpu = server.Sample().CpuSeconds - openCpuStart;
// The opening's own work: on a loaded machine the opening lasts longer and the agents' steady polls and reports over
// that time are counted in openCpu too, so the steady rate measured before is taken off (a figure, not a measurement).
var openSeconds = openClock.Elapsed.TotalSeconds;
var openCpuAboveSteady = openCpu - idleCpuPerSecond * openSeconds;
var open = Percentiles.Of(agents.Where(a => a.OpenReceivedAt != 0).Select(a => (double)(a.OpenReceivedAt - openedAt[a.Group])).ToList());
var openFromStart = Percentiles.Of(agents.Where(a => a.OpenReceivedAt != 0).Select(a => (double)(a.OpenReceivedAt - plannedStart[a.Group])).ToList());
var openSpread = (openedAt.Max() - openedAt.Min()) / 1000.0;
Say(Inv($"open (from openedAt): {open} (runs opened over {openSpread:F1} s, {openCpu:F1} CPU-s)"));
Say(Inv($"open (from window start): {openFromStart}"));
Say(Inv($"opening took {openSeconds:F1} s: {openCpu:F1} CPU-s, {openCpuAboveSteady:F1} CPU-s above the steady {idleCpuPerSecond:F2} CPU-s/s"));
var openingBytes = agents.Sum(a => a.OpeningBytes);
Say(Inv($"opening bytes received (state + peer-set fetch, bodies): {openingBytes} in total, {(double)openingBytes / agents.Length:F0} per agent; {fleet.Counters.PeerSetFetches} peer-set fetches, {fleet.Counters.PeerSetBytes} bytes; {fleet.Counters.PeerSetsInline} sets received inline"));

// Ingest: a burst of large reports from the agents' own credentials while the runs are open (attribution has work
// to do), then the raw insert loop on the same machine in the same run.
var before = (Rows: fleet.Counters.TrafficRows, Errors: fleet.Counters.ReportErrors);
var burstClock = Stopwatch.StartNew();
var ingestCpuStart = server.Sample().CpuSeconds;
var burstRows = 0L;
using (var burst = CancellationTokenSource.CreateLinkedTokenSource(ct))
if (settings.IngestSeconds > 0)
{
    burst.CancelAfter(TimeSpan.FromSeconds(settings.IngestSeconds));
    await Task.WhenAll(Enumerable.Range(0, settings.IngestSenders).Select(sender => Task.Run(async () =>
    {
        var next = sender;
        while (!burst.IsCancellationRequested)
        {
            var agent = agents[next % agents.Length];
            next += settings.IngestSenders;
            try
            {
                if (await agent.ReportAsync(fleet, settings.IngestRowsPerReport, burst.Token, throttled: false))
                {
                    Interlocked.Add(ref burstRows, settings.IngestRowsPerReport);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }, CancellationToken.None)));
}

var burstSeconds = burstClock.Elapsed.TotalSeconds;
var ingestCpu = server.Sample().CpuSeconds - ingestCpuStart;
var ingestRowsPerSecond = (fleet.Counters.TrafficRows - before.Rows) / burstSeconds;
Say(Inv($"ingest: {ingestRowsPerSecond:F0} rows/s over {burstSeconds:F1} s ({burstRows} burst rows in reports of {settings.IngestRowsPerReport}, plus the periodic reports; {fleet.Counters.ReportErrors - before.Errors} report errors; {ingestCpu:F1} CPU-s)"));
var skipIngest = settings.IngestSeconds == 0;
var rawPerReport = skipIngest ? 0 : RawInsertLoop.Measure(dataDirectory, settings.IngestRowsPerReport, TimeSpan.FromSeconds(5));
var rawBulk = skipIngest ? 0 : RawInsertLoop.Measure(dataDirectory, 100_000, TimeSpan.FromSeconds(5));
Say(Inv($"raw insert loop: {rawPerReport:F0} rows/s committing every {settings.IngestRowsPerReport} rows; {rawBulk:F0} rows/s committing every 100,000"));
var rawBulkProductIndex = skipIngest ? 0 : RawInsertLoop.Measure(dataDirectory, 100_000, TimeSpan.FromSeconds(5), productIndex: true);
Say(Inv($"raw insert loop with the product's covering index: {rawBulkProductIndex:F0} rows/s committing every 100,000"));
Say(Inv($"ingest / raw (same commit size) = {Ratio(ingestRowsPerSecond, rawPerReport):F2}; ingest / raw (100k per commit) = {Ratio(ingestRowsPerSecond, rawBulk):F2}; ingest / raw (100k per commit, product index) = {Ratio(ingestRowsPerSecond, rawBulkProductIndex):F2}"));

// Close: the runs end at their planned end (Quartz → Hangfire close job → notify).
var closedAt = new long[groups];
await Parallel.ForAsync(0, groups, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (g, c) =>
    closedAt[g] = Admin.TimeOf(await admin.WaitForRunAsync(windowIds[g], runIds[g], "closedAt", c, notBeforeMs: plannedEnd[g]), "closedAt"));
await WaitUntilAsync(() => agents.All(a => a.ClosedReceivedAt != 0), TimeSpan.FromSeconds(60), "every agent holding its closed state");
var closed = Percentiles.Of(agents.Where(a => a.ClosedReceivedAt != 0).Select(a => (double)Math.Max(0, a.ClosedReceivedAt - closedAt[a.Group])).ToList());
var earlyClosed = agents.Count(a => a.ClosedReceivedAt != 0 && a.ClosedReceivedAt < closedAt[a.Group]);
var closedFromEnd = Percentiles.Of(agents.Where(a => a.ClosedReceivedAt != 0).Select(a => (double)(a.ClosedReceivedAt - plannedEnd[a.Group])).ToList());
Say(Inv($"close (from closedAt): {closed} ({earlyClosed} agents saw the closed state between planned end and closedAt, counted as 0)"));
Say(Inv($"close (from window end): {closedFromEnd}"));
var cycleCpu = server.Sample().CpuSeconds - openCpuStart;

// What the server recorded: every member's opening must be acknowledged (by poll or by report), at most a report
// interval after it held it; the open acknowledgement's delay from the window start is what the run report shows.
var acknowledged = new List<double>();
var closeAcknowledged = 0;
foreach (var (runId, g) in runIds.Select((id, g) => (id, g)))
{
    foreach (var member in (await admin.GetAsync(Inv($"/api/v1/runs/{runId}"), ct))["members"]!.AsArray())
    {
        if (member!["openAckedAt"] is { } ackedAt && ackedAt.GetValueKind() == JsonValueKind.String)
        {
            acknowledged.Add(DateTimeOffset.Parse(ackedAt.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() - plannedStart[g]);
        }

        closeAcknowledged += member["closeAckedAt"] is { } c && c.GetValueKind() == JsonValueKind.String ? 1 : 0;
    }
}

var openAcknowledged = Percentiles.Of(acknowledged);
Say(Inv($"open acknowledged by {acknowledged.Count} of {agents.Length} members, from window start: {openAcknowledged}; close acknowledged by {closeAcknowledged} so far"));
if (acknowledged.Count < agents.Length)
{
    gaveUp.Add(Inv($"only {acknowledged.Count} of {agents.Length} openings acknowledged"));
}

Say(Inv($"open → close cycle: {cycleCpu:F1} CPU-s (ingest burst included: {ingestCpu:F1} CPU-s of it)"));
var storage = RunStorage.Measure(dataDirectory, runIds);
var bytesPerMember = storage.Members == 0 ? 0 : (double)storage.Bytes / storage.Members;
// Counted in pages beyond each table's and index's first one: a few dozen members fit in those and count as 0.
Say(Inv($"database: the runs' members and peer sets take {storage.Bytes} bytes for {storage.Members} members, {bytesPerMember:F0} bytes per member (whole pages beyond each table's first)"));

await stopAgents.CancelAsync();
await Task.WhenAll(loops);
var end = server.Sample();
var c2 = fleet.Counters;
Say(Inv($"server: peak rss {end.PeakRssMiB:F0} MiB, cpu {end.CpuSeconds:F1} s total, {end.Threads} threads; states {c2.States}, 304s {c2.NotModified}, poll errors {c2.PollErrors}, reports {c2.Reports}, report errors {c2.ReportErrors}; load {File.ReadAllText("/proc/loadavg").Trim()}"));

var result = new
{
    at = time.GetUtcNow(),
    settings.Agents,
    settings.GroupSize,
    load = File.ReadAllText("/proc/loadavg").Trim(),
    enrollSeconds,
    open,
    openFromStart,
    openSpreadSeconds = openSpread,
    openCpuSeconds = openCpu,
    openSeconds,
    openCpuAboveSteady,
    settings.PeerSets,
    settings.AckByPoll,
    settings.ReportIntervalSeconds,
    openAcknowledgedFromStart = openAcknowledged,
    openAcknowledgedCount = acknowledged.Count,
    closeAcknowledgedCount = closeAcknowledged,
    peerSetsInline = fleet.Counters.PeerSetsInline,
    openingBytes,
    openingBytesPerAgent = (double)openingBytes / agents.Length,
    peerSetFetches = fleet.Counters.PeerSetFetches,
    peerSetBytes = fleet.Counters.PeerSetBytes,
    cycleCpuSeconds = cycleCpu,
    runStorageBytes = storage.Bytes,
    runStorageBytesPerMember = bytesPerMember,
    close = closed,
    closeFromEnd = closedFromEnd,
    earlyClosed,
    ingestRowsPerSecond,
    rawPerReport,
    rawBulk,
    ratioSameCommit = Ratio(ingestRowsPerSecond, rawPerReport),
    ratioBulk = Ratio(ingestRowsPerSecond, rawBulk),
    rawBulkProductIndex,
    ratioBulkProductIndex = Ratio(ingestRowsPerSecond, rawBulkProductIndex),
    ingestCpuSeconds = ingestCpu,
    connectedRssMiB = connected.RssMiB,
    heldRssMiB = heldRss is { } h ? new { min = h.Min, avg = h.Avg, max = h.Max } : null,
    idleCpuPerSecond,
    idleReportsPerSecond,
    peakRssMiB = end.PeakRssMiB,
    cpuSeconds = end.CpuSeconds,
    pollErrors = c2.PollErrors,
    reportErrors = c2.ReportErrors,
    label = settings.Label,
};
return await RunEnd.FinishAsync(result, settings, () => server.DisposeAsync(), dataDirectory, gaveUp, fleet.Counters);

async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit, string what)
{
    var clock = Stopwatch.StartNew();
    while (!condition())
    {
        if (clock.Elapsed > limit)
        {
            Say($"gave up waiting for {what} after {limit.TotalSeconds:F0} s");
            gaveUp.Add($"gave up waiting for {what}");
            return;
        }

        await Task.Delay(20, ct);
    }
}

// 0 when the burst was skipped (JSON has no NaN or infinity).
static double Ratio(double value, double of) => of > 0 ? value / of : 0;

static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
