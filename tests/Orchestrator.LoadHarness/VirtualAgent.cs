using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.LoadHarness;

/// <summary>
/// One endpoint's agent, minus the firewall: long-polls its desired state (asking for peer sets by reference when
/// <paramref name="peerSets"/>), takes a set sent inline or fetches a named peer set once (br/gzip, verified by its
/// hash, as the real agent does), acknowledges every new state (as the real agent does once it applied it: with
/// <paramref name="ackByPoll"/> and a server that says so, by its next poll's <c>applied</c>, except a close, which is
/// reported at once; otherwise with a report that carries the applied version), and reports a few traffic rows at a
/// fixed interval (<see cref="StartReporting"/>). Its group is the endpoints
/// <paramref name="groupFirst"/> … <paramref name="groupFirst"/> + <paramref name="groupCount"/> - 1 (indexes, not a
/// list: 10,000 agents in one group would otherwise hold 100 million peer strings in the harness).
/// </summary>
internal sealed class VirtualAgent(
    int index, int group, string address, EnrollResponseV1 credential, int groupFirst, int groupCount, bool peerSets, bool ackByPoll)
{
    private readonly string _authorization = $"{AgentProtocolV1.AuthScheme} {credential.AgentId}:{credential.Secret}";
    private long _version;
    private long _reportSequence;
    private string? _heldPeerSet;
    private HashSet<long> _heldRuns = [];

    public int Index { get; } = index;

    public int Group { get; } = group;

    public string Address { get; } = address;

    /// <summary>Unix ms at which the first state of any kind arrived (the agent is "connected").</summary>
    public long FirstStateAt { get; private set; }

    /// <summary>Unix ms at which the first state with an opening arrived; 0 until then.</summary>
    public long OpenReceivedAt { get; private set; }

    /// <summary>Unix ms at which a state without openings arrived after an open one; 0 until then.</summary>
    public long ClosedReceivedAt { get; private set; }

    /// <summary>Body bytes received on the wire for the first opening: its state plus the peer-set fetch it needed.</summary>
    public long OpeningBytes { get; private set; }

    /// <summary>Two-node mode: the nodes this agent may talk to, its first node first; null: the fleet client's one server.</summary>
    public AgentNodes? Nodes { get; init; }

    /// <summary>Two-node mode, before a second open → close cycle: the next opening and close are measured afresh.</summary>
    public void StartCycle()
    {
        OpenReceivedAt = 0;
        ClosedReceivedAt = 0;
        OpeningBytes = 0;
    }

    private void Route(HttpRequestMessage request, bool poll = false)
    {
        if (Nodes is { } nodes)
        {
            request.Options.Set(NodeFailoverHandler.Nodes, nodes);
            request.Options.Set(NodeFailoverHandler.Poll, poll);
        }
    }

    public async Task PollLoopAsync(Fleet fleet, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var features = !peerSets ? ""
                    : !ackByPoll ? $"&{AgentProtocolV1.FeaturesQuery}={AgentProtocolV1.PeerSetsFeature}"
                    : _version == 0 ? $"&{AgentProtocolV1.FeaturesQuery}={AgentProtocolV1.PeerSetsFeature},{AgentProtocolV1.AckByPollFeature}"
                    : string.Create(CultureInfo.InvariantCulture, $"&{AgentProtocolV1.FeaturesQuery}={AgentProtocolV1.PeerSetsFeature},{AgentProtocolV1.AckByPollFeature}&{AgentProtocolV1.AppliedQuery}={_version}");
                using var request = new HttpRequestMessage(
                    HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"{AgentProtocolV1.StatePath}?version={_version}&wait=25{features}"));
                request.Headers.TryAddWithoutValidation("Authorization", _authorization);
                Route(request, poll: true);
                using var response = await fleet.Http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    var state = JsonSerializer.Deserialize<DesiredStateV1>(body, Fleet.Json)!;
                    var fetched = await FetchPeerSetsAsync(fleet, state, cancellationToken);
                    var closes = _heldRuns.Except(state.Openings.Select(o => o.RunId)).Any();
                    _heldRuns = state.Openings.Select(o => o.RunId).ToHashSet();
                    Observe(state, fleet.NowMs(), body.Length + fetched);
                    Interlocked.Increment(ref fleet.Counters.States);
                    if (state.AcknowledgeByPoll != true || closes)
                    {
                        await ReportAsync(fleet, traffic: 0, cancellationToken);
                    }
                }
                else if (response.StatusCode == HttpStatusCode.NotModified)
                {
                    Interlocked.Increment(ref fleet.Counters.NotModified);
                }
                else
                {
                    Interlocked.Increment(ref fleet.Counters.PollErrors);
                    fleet.Counters.Failed("poll", ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), fleet.NowMs());
                    await Task.Delay(1_000, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // A real agent backs off and polls again; the harness counts it so a figure never hides failures.
                Interlocked.Increment(ref fleet.Counters.PollErrors);
                fleet.Counters.Failed("poll", FleetCounters.Describe(error), fleet.NowMs());
                await Task.Delay(1_000, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// Starts every agent's periodic reports, spread evenly over the first <paramref name="interval"/> (none when it is
    /// zero: a real agent with nothing to report sends no report).
    /// </summary>
    public static IEnumerable<Task> StartReporting(IReadOnlyList<VirtualAgent> agents, Fleet fleet, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (interval <= TimeSpan.Zero)
        {
            return [];
        }

        return agents.Select(agent => Task.Run(
            () => agent.ReportLoopAsync(fleet, interval * ((double)agent.Index / agents.Count), interval, cancellationToken), CancellationToken.None)).ToList();
    }

    private async Task ReportLoopAsync(Fleet fleet, TimeSpan firstDelay, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(firstDelay, cancellationToken);
            using var timer = new PeriodicTimer(interval);
            do
            {
                await ReportAsync(fleet, traffic: fleet.TrafficRowsPerReport, cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One report with <paramref name="traffic"/> rows toward this agent's group peers; true when accepted.</summary>
    public async Task<bool> ReportAsync(Fleet fleet, int traffic, CancellationToken cancellationToken, bool throttled = true)
    {
        var rows = new List<PeerTrafficV1>(traffic);
        for (var i = 0; i < traffic && groupCount > 1; i++)
        {
            // The group's other members in turn (the k-th other member: skip this agent's own index).
            var k = (int)((_reportSequence + i) % (groupCount - 1));
            var peer = groupFirst + k >= Index ? groupFirst + k + 1 : groupFirst + k;
            rows.Add(new PeerTrafficV1(Addresses.Of(peer + 1), 1_048_576 + i, 4_096));
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"{Index}-{Interlocked.Increment(ref _reportSequence)}");
        var version = Interlocked.Read(ref _version);
        var report = new AgentReportV1(id, version == 0 ? null : version, null, [], rows, []);
        if (throttled)
        {
            await fleet.ReportSlots.WaitAsync(cancellationToken);
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath) { Content = JsonContent.Create(report, options: Fleet.Json) };
            request.Headers.TryAddWithoutValidation("Authorization", _authorization);
            Route(request);
            using var response = await fleet.Http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref fleet.Counters.Reports);
                Interlocked.Add(ref fleet.Counters.TrafficRows, rows.Count);
                return true;
            }

            Interlocked.Increment(ref fleet.Counters.ReportErrors);
            fleet.Counters.Failed("report", ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), fleet.NowMs());
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error)
        {
            Interlocked.Increment(ref fleet.Counters.ReportErrors);
            fleet.Counters.Failed("report", FleetCounters.Describe(error), fleet.NowMs());
            return false;
        }
        finally
        {
            if (throttled)
            {
                fleet.ReportSlots.Release();
            }
        }
    }

    /// <summary>Fetches the sets the state names that this agent does not hold; the body bytes received on the wire.</summary>
    private async Task<long> FetchPeerSetsAsync(Fleet fleet, DesiredStateV1 state, CancellationToken cancellationToken)
    {
        var bytes = 0L;
        foreach (var reference in state.Openings.Select(o => o.PeerSet).OfType<PeerSetRefV1>().DistinctBy(r => r.Hash))
        {
            if (reference.Hash == _heldPeerSet)
            {
                continue;
            }

            if (reference.Ranges is { } inline)
            {
                _heldPeerSet = Verified(reference, inline);
                Interlocked.Increment(ref fleet.Counters.PeerSetsInline);
                continue;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, $"{AgentProtocolV1.PeerSetsPath}/{reference.Hash}");
            request.Headers.TryAddWithoutValidation("Authorization", _authorization);
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "br, gzip");
            Route(request);
            using var response = await fleet.Http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var raw = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            bytes += raw.Length;
            Interlocked.Increment(ref fleet.Counters.PeerSetFetches);
            Interlocked.Add(ref fleet.Counters.PeerSetBytes, raw.Length);
            using Stream decoded = response.Content.Headers.ContentEncoding.FirstOrDefault() switch
            {
                "br" => new BrotliStream(new MemoryStream(raw), CompressionMode.Decompress),
                "gzip" => new GZipStream(new MemoryStream(raw), CompressionMode.Decompress),
                _ => new MemoryStream(raw),
            };
            var set = (await JsonSerializer.DeserializeAsync<PeerSetV1>(decoded, Fleet.Json, cancellationToken))!;
            _heldPeerSet = Verified(reference, set.Ranges);
        }

        return bytes;
    }

    private static string Verified(PeerSetRefV1 reference, IReadOnlyList<string> ranges)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', ranges))));
        return hash == reference.Hash ? hash : throw new InvalidOperationException($"peer set {reference.Hash}: content hashes to {hash}");
    }

    private void Observe(DesiredStateV1 state, long at, long bytes)
    {
        Interlocked.Exchange(ref _version, state.Version);
        if (FirstStateAt == 0)
        {
            FirstStateAt = at;
        }

        if (state.Openings.Count > 0)
        {
            if (OpenReceivedAt == 0)
            {
                OpenReceivedAt = at;
                OpeningBytes = bytes;
            }
        }
        else if (OpenReceivedAt != 0 && ClosedReceivedAt == 0)
        {
            ClosedReceivedAt = at;
        }
    }
}
