using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Groups;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Scans;
using Orchestrator.Data.Signals;
using Orchestrator.Protocol;

namespace Orchestrator.Server.Agents;

/// <summary>
/// What an endpoint must enforce now: one opening per open run and port, with that run's peers for the endpoint (its
/// run's peer set without its own addresses) and the seconds left. The version is a hash of everything but the
/// seconds, so it changes exactly when the agent has something new to apply, survives restarts, and needs no counter.
/// </summary>
/// <remarks>
/// What the database says (open runs with this endpoint's membership, pending scans) is kept per endpoint until the
/// endpoint's <see cref="DesiredStateNotifier.Generation"/> moves (run opened or closed, scans dispatched), its own scan
/// outcome arrives (<see cref="ForgetAsync"/>, on every node) or <see cref="ReadFor"/> passes; time (ends, seconds left) is applied at every
/// call. When a run opens, 10,000 agents wake at once, each then acknowledges and polls again: one read instead of three.
/// A run's peer set is read and parsed once for all its members (<see cref="PeerSetEntry"/>); an endpoint's snapshot
/// holds only its own addresses, so memory per endpoint does not grow with its group.
/// </remarks>
internal sealed class DesiredStates : IDisposable
{
    /// <summary>The signal topic of <see cref="ForgetAsync"/>: keys are endpoint ids.</summary>
    public const string ForgetTopic = "desired-state-read";

    /// <summary>Longest a read is reused without a notification; a long-poll waits 25 s anyway.</summary>
    public static readonly TimeSpan ReadFor = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<long, Snapshot> _snapshots = new();

    // Kept snapshots share one copy of each open run: 10,000 members would otherwise hold 10,000 copies of its definition.
    private readonly ConcurrentDictionary<long, RunRecord> _runs = new();

    // One parsed peer set per run, loaded once however many members wake at the same moment (a set is frozen when its
    // run opens, so a kept one never goes stale).
    private readonly ConcurrentDictionary<long, Lazy<Task<PeerSetEntry>>> _peerSets = new();
    private readonly IRunStore runs;
    private readonly IScanStore scans;
    private readonly DesiredStateNotifier notifier;
    private readonly TimeProvider time;
    private readonly IClusterSignals _signals;
    private readonly IDisposable _subscription;
    private readonly int _inlineMaxRanges;

    // Endpoints whose snapshot must be read, waiting for the next bulk read (see ReadMissedAsync), and whether one runs.
    private readonly Lock _missesLock = new();
    private Dictionary<long, TaskCompletionSource<Snapshot>> _misses = [];
    private bool _readingMisses;
    private int _reads;
    private int _runWrites;
    private int _peerSetWrites;

    public DesiredStates(
        IRunStore runs, IScanStore scans, DesiredStateNotifier notifier, TimeProvider time, IClusterSignals signals,
        Microsoft.Extensions.Options.IOptions<Hosting.OrchestratorOptions> options)
    {
        _inlineMaxRanges = options.Value.InlinePeerSetMaxRanges;
        this.runs = runs;
        this.scans = scans;
        this.notifier = notifier;
        this.time = time;
        _signals = signals;
        _subscription = signals.Subscribe(ForgetTopic, Forget);
        notifier.ReadAheadWith(ReadNowAsync);
    }

    /// <param name="peerSets">The agent asked for <see cref="AgentProtocolV1.PeerSetsFeature"/>: openings name the run's
    /// peer set by hash instead of listing every peer. The version is the same either way (both say the same).</param>
    /// <returns>The state, the runs it holds, and when the first of those runs ends (the state changes by itself then).</returns>
    public async ValueTask<(DesiredStateV1 State, IReadOnlyList<long> RunIds, DateTimeOffset? NextEnd)> ForAsync(
        long endpointId, CancellationToken cancellationToken, bool peerSets = false)
    {
        var now = time.GetUtcNow();
        var snapshot = await SnapshotAsync(endpointId, now, cancellationToken);
        var shape = ShapeOf(snapshot, now, _inlineMaxRanges);
        var openings = new List<OpeningV1>(shape.Openings.Count);
        foreach (var o in shape.Openings)
        {
            // Only the seconds left change between calls; the rest of the state is the shape's, made once per snapshot.
            var seconds = Opening.SecondsUntil(o.Held.Run.PlannedEnd, now);
            openings.Add(new OpeningV1(o.Held.Run.Id, o.Port.Port, o.Port.Transport, peerSets ? [] : o.Held.PeerSet.Without(o.Held.Except), seconds, peerSets ? o.Reference : null));
        }

        return (new DesiredStateV1(shape.Version, openings, shape.Peering, snapshot.Scans), shape.RunIds, shape.NextEnd);
    }

    /// <summary>
    /// What the snapshot's state is, but for the seconds left: its version, peering, openings and runs. It changes only
    /// when one of the snapshot's runs ends (a snapshot lasts at most <see cref="ReadFor"/>), so it is made once per
    /// snapshot and runs held, not at every call: 10,000 agents waking at an opening, polling again and reporting
    /// would otherwise each hash and format the same state (measured: a fifth of the server's allocations then).
    /// </summary>
    private static StateShape ShapeOf(Snapshot snapshot, DateTimeOffset now, int inlineMaxRanges)
    {
        var holding = new List<HeldRun>(snapshot.Open.Count);
        foreach (var held in snapshot.Open)
        {
            var run = held.Run;
            if (run.PlannedEnd > now && held.PeerSet.Set.Count - held.Except.Count > 0 && run.Definition.Ports.Count > 0)
            {
                holding.Add(held);
            }
        }

        var kept = snapshot.Shape;
        if (kept is not null && kept.Holds(holding))
        {
            return kept;
        }

        var shape = StateShape.Of(holding, snapshot.Scans, inlineMaxRanges);
        snapshot.Shape = shape;
        return shape;
    }

    /// <summary>The peer set named <paramref name="hash"/> when a run the endpoint is a member of holds it now; null
    /// otherwise (an agent fetches only sets its own state names).</summary>
    public async Task<PeerSetEntry?> PeerSetAsync(long endpointId, string hash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var snapshot = await SnapshotAsync(endpointId, now, cancellationToken);
        return snapshot.Open.FirstOrDefault(h => h.Run.PlannedEnd > now && string.Equals(h.PeerSet.Set.Hash, hash, StringComparison.Ordinal))?.PeerSet;
    }

    /// <summary>
    /// Reads the snapshots of many endpoints at once, for the generation they will have after the caller's next
    /// <see cref="DesiredStateNotifier.Notify"/>: a run that opens for 10,000 members wakes 10,000 long-polls together,
    /// and each would otherwise read the database on its own (two queries each, most of the opening's cost at that
    /// size). A snapshot whose generation does not come true (another change in between, or no notify) is never used.
    /// </summary>
    public Task WarmAsync(IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken) =>
        ReadManyAsync(endpointIds, generationsAhead: 1, cancellationToken);

    /// <summary>
    /// Reads the snapshots of many endpoints at once for their current generation: another node's change has just
    /// moved it on (<see cref="DesiredStateNotifier.ReadAheadWith"/>), and the polls parked here are woken once this returns.
    /// </summary>
    public Task ReadNowAsync(IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken) =>
        ReadManyAsync(endpointIds, generationsAhead: 0, cancellationToken);

    /// <summary>Reads and keeps the snapshots of <paramref name="endpointIds"/> in two queries, for their generation now
    /// plus <paramref name="generationsAhead"/>; returns them by endpoint id.</summary>
    private async Task<Dictionary<long, Snapshot>> ReadManyAsync(IReadOnlyCollection<long> endpointIds, int generationsAhead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        var now = time.GetUtcNow();
        var generations = endpointIds.Distinct().ToDictionary(id => id, id => notifier.Generation(id) + generationsAhead);
        var open = await runs.ListOpenForEndpointsAsync(generations.Keys, now, cancellationToken);
        var pending = await scans.ListPendingForEndpointsAsync(generations.Keys, cancellationToken);
        var read = new Dictionary<long, Snapshot>(generations.Count);
        foreach (var (endpointId, generation) in generations)
        {
            var held = new List<HeldRun>();
            foreach (var o in open.TryGetValue(endpointId, out var runsOf) ? runsOf : [])
            {
                held.Add(await HeldAsync(o));
            }

            var scansOf = pending.TryGetValue(endpointId, out var list) ? list : [];
            read[endpointId] = Keep(endpointId, generation, now, held, scansOf);
        }

        Interlocked.Increment(ref _reads);
        return read;
    }

    /// <summary>Reads of snapshots from the database so far (of one endpoint or of many at once).</summary>
    internal int Reads => Volatile.Read(ref _reads);

    /// <summary>The endpoint's own report changed what it must do (a scan finished): every node reads again at the next call.</summary>
    public Task ForgetAsync(long endpointId) =>
        _signals.PublishAsync(new ClusterSignal(ForgetTopic, [endpointId.ToString(CultureInfo.InvariantCulture)]));

    public void Dispose() => _subscription.Dispose();

    private void Forget(ClusterSignal signal)
    {
        if (signal.IsEverything)
        {
            _snapshots.Clear();
            return;
        }

        foreach (var id in signal.KeysAsIds())
        {
            _snapshots.TryRemove(id, out _);
        }
    }

    private async ValueTask<Snapshot> SnapshotAsync(long endpointId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var generation = notifier.Generation(endpointId);
        if (_snapshots.TryGetValue(endpointId, out var kept) && kept.Generation == generation && now - kept.ReadAt < ReadFor && now >= kept.ReadAt)
        {
            return kept;
        }

        return await ReadMissedAsync(endpointId, cancellationToken);
    }

    /// <summary>
    /// A snapshot that must be read: the endpoint joins the next bulk read. Endpoints that miss while a bulk read runs
    /// wait for the next one, which takes them all (up to <see cref="DesiredStateNotifier.ReadAheadChunk"/>): when
    /// thousands of parked polls wake at a run's planned end with snapshots older than <see cref="ReadFor"/>, or arrive
    /// together on a node after theirs died, they share a few reads of two queries each instead of two queries each. A
    /// single miss on a quiet server is read at once, alone, as before. The read is not the caller's: it serves every
    /// waiter, so a caller that gives up stops waiting and the read goes on.
    /// </summary>
    private Task<Snapshot> ReadMissedAsync(long endpointId, CancellationToken cancellationToken)
    {
        TaskCompletionSource<Snapshot>? waiter;
        bool start;
        lock (_missesLock)
        {
            if (!_misses.TryGetValue(endpointId, out waiter))
            {
                waiter = new TaskCompletionSource<Snapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
                _misses[endpointId] = waiter;
            }

            start = !_readingMisses;
            _readingMisses = true;
        }

        if (start)
        {
            _ = Task.Run(ReadMissesAsync, CancellationToken.None);
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    private async Task ReadMissesAsync()
    {
        while (true)
        {
            Dictionary<long, TaskCompletionSource<Snapshot>> batch;
            lock (_missesLock)
            {
                if (_misses.Count == 0)
                {
                    _readingMisses = false;
                    return;
                }

                if (_misses.Count <= DesiredStateNotifier.ReadAheadChunk)
                {
                    (batch, _misses) = (_misses, []);
                }
                else
                {
                    batch = _misses.Take(DesiredStateNotifier.ReadAheadChunk).ToDictionary();
                    foreach (var id in batch.Keys)
                    {
                        _misses.Remove(id);
                    }
                }
            }

            try
            {
                // For each endpoint's generation when this read starts: at least the one its caller saw. One endpoint
                // alone takes the narrow queries (the bulk ones read every open run, to share them between many).
                if (batch.Count == 1)
                {
                    var (id, waiter) = batch.Single();
                    waiter.TrySetResult(await ReadOneAsync(id));
                }
                else
                {
                    var read = await ReadManyAsync(batch.Keys, generationsAhead: 0, CancellationToken.None);
                    foreach (var (id, waiter) in batch)
                    {
                        waiter.TrySetResult(read[id]);
                    }
                }
            }
            catch (Exception e)
            {
                foreach (var waiter in batch.Values)
                {
                    waiter.TrySetException(e);
                }
            }
        }
    }

    private async Task<Snapshot> ReadOneAsync(long endpointId)
    {
        var generation = notifier.Generation(endpointId);
        var now = time.GetUtcNow();
        var open = new List<HeldRun>();
        foreach (var o in await runs.ListOpenForEndpointAsync(endpointId, now, CancellationToken.None))
        {
            open.Add(await HeldAsync(o));
        }

        var snapshot = Keep(endpointId, generation, now, open, await scans.ListPendingAsync(endpointId, CancellationToken.None));
        Interlocked.Increment(ref _reads);
        return snapshot;
    }

    private Snapshot Keep(long endpointId, long generation, DateTimeOffset now, IReadOnlyList<HeldRun> open, IReadOnlyList<PendingScan> pending)
    {
        var snapshot = new Snapshot(generation, now, open, pending.Select(s => new ScanRequestV1(s.ScanId, s.RunId, s.TimeoutSeconds)).ToList());
        _snapshots[endpointId] = snapshot;
        return snapshot;
    }

    // Once per member of every open run at each read: synchronous once the run's peer set is loaded.
    private async ValueTask<HeldRun> HeldAsync(OpenRun o)
    {
        var entry = await PeerSetOfAsync(o.Run.Id);
        var own = entry.Set.OwnInText(o.Member.Addresses);
        var except = new string[own.Count];
        for (var i = 0; i < except.Length; i++)
        {
            except[i] = own[i].ToString();
        }

        return new HeldRun(Shared(o.Run), entry, except);
    }

    private Task<PeerSetEntry> PeerSetOfAsync(long runId)
    {
        if (!_peerSets.TryGetValue(runId, out var lazy))
        {
            // Counts additions, not reads (10,000 members read the same set at once): sets of runs that closed long ago
            // are forgotten now and then, and members of open runs load theirs again once.
            if (Interlocked.Increment(ref _peerSetWrites) > 1_000)
            {
                Interlocked.Exchange(ref _peerSetWrites, 0);
                _peerSets.Clear();
            }

            lazy = _peerSets.GetOrAdd(runId, id => new Lazy<Task<PeerSetEntry>>(() => LoadAsync(id)));
        }

        var load = lazy.Value;
        return load.IsCompletedSuccessfully ? load : ForgetIfFailedAsync(runId, lazy);
    }

    private async Task<PeerSetEntry> ForgetIfFailedAsync(long runId, Lazy<Task<PeerSetEntry>> lazy)
    {
        try
        {
            return await lazy.Value;
        }
        catch (Exception)
        {
            // A failed read is not kept: the next caller reads again.
            _peerSets.TryRemove(new KeyValuePair<long, Lazy<Task<PeerSetEntry>>>(runId, lazy));
            throw;
        }
    }

    // Read without the caller's token: the load is shared with every other member waking now.
    private async Task<PeerSetEntry> LoadAsync(long runId) =>
        new(await runs.GetPeerSetAsync(runId, CancellationToken.None) ?? RunPeerSet.Parse(""));

    private RunRecord Shared(RunRecord run)
    {
        // The common case (the run is kept and unchanged) takes no lock: AddOrUpdate and Count lock, and ConcurrentDictionary's
        // Count takes every lock of the table. Called for every snapshot read, they made reads contend with each other
        // (measured: 37% of the server's CPU in Monitor.Enter during a report burst at 10,000 agents).
        if (_runs.TryGetValue(run.Id, out var old) && old.UpdatedAt == run.UpdatedAt && old.State == run.State)
        {
            return old;
        }

        if (Interlocked.Increment(ref _runWrites) > 1_000)
        {
            // Runs that closed long ago: forget them all now and then; the next reads share again.
            Interlocked.Exchange(ref _runWrites, 0);
            _runs.Clear();
        }

        return _runs.AddOrUpdate(run.Id, run, (_, kept) => kept.UpdatedAt == run.UpdatedAt && kept.State == run.State ? kept : run);
    }

    private static DeliveryOptimizationV1 DeliveryOptimizationFor(IReadOnlyList<HeldRun> holding)
    {
        if (holding.Count == 0)
        {
            return NoPeering;
        }

        // Overlapping runs: Group peering wins when any run asks for it, with the id of the earliest run's first group;
        // the other Delivery Optimization settings are the earliest run's too.
        var first = holding[0].Run;
        var group = first.Definition.Peering == PeeringMode.Group;
        for (var i = 1; i < holding.Count; i++)
        {
            var run = holding[i].Run;
            group |= run.Definition.Peering == PeeringMode.Group;
            if (run.PlannedStart < first.PlannedStart || (run.PlannedStart == first.PlannedStart && run.Id < first.Id))
            {
                first = run;
            }
        }

        // A run's own peering is made once and shared by its members (their states hold the same kept run).
        return group == (first.Definition.Peering == PeeringMode.Group)
            ? OwnPeering.GetValue(first, static run => PeeringOf(run, run.Definition.Peering == PeeringMode.Group))
            : PeeringOf(first, group);
    }

    private static DeliveryOptimizationV1 PeeringOf(RunRecord first, bool group)
    {
        var settings = Windows.DeliveryOptimizationSettingsWire.From(first.Definition.DeliveryOptimization);
        return group
            ? new DeliveryOptimizationV1(PeeringModeV1.Group, GroupIds.DeliveryOptimizationGroup(first.Definition.Groups[0]).ToString(), settings)
            : new DeliveryOptimizationV1(PeeringModeV1.Lan, null, settings);
    }

    /// <summary>The SHA-256 of <paramref name="identity"/>'s UTF-8 bytes, as a positive number, without making it a string.</summary>
    private static long VersionOf(StringBuilder identity, Encoder utf8)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(identity.Length));
        try
        {
            utf8.Reset();
            var written = 0;
            foreach (var chunk in identity.GetChunks())
            {
                written += utf8.GetBytes(chunk.Span, buffer.AsSpan(written), flush: false);
            }

            written += utf8.GetBytes([], buffer.AsSpan(written), flush: true);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, written), hash);
            return Math.Max(1, BitConverter.ToInt64(hash) & long.MaxValue);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static readonly DeliveryOptimizationV1 NoPeering = new(PeeringModeV1.HttpOnly, null);

    private static readonly ConditionalWeakTable<RunRecord, DeliveryOptimizationV1> OwnPeering = new();

    /// <summary>An open run of the endpoint: the run, its shared peer set, and the endpoint's own addresses in the set.</summary>
    private sealed record HeldRun(RunRecord Run, PeerSetEntry PeerSet, IReadOnlyList<string> Except);

    private sealed record Snapshot(long Generation, DateTimeOffset ReadAt, IReadOnlyList<HeldRun> Open, IReadOnlyList<ScanRequestV1> Scans)
    {
        /// <summary>The state made from this snapshot for the runs it held then (<see cref="ShapeOf"/>); null until the first call.</summary>
        public StateShape? Shape { get; set; }
    }

    /// <summary>The time-independent part of an endpoint's state for the runs it holds (<see cref="ShapeOf"/>).</summary>
    private sealed class StateShape
    {
        private readonly IReadOnlyList<HeldRun> _holding;

        private StateShape(IReadOnlyList<HeldRun> holding, long version, DeliveryOptimizationV1 peering, IReadOnlyList<ShapedOpening> openings)
        {
            _holding = holding;
            Version = version;
            Peering = peering;
            Openings = openings;
            RunIds = holding.Select(h => h.Run.Id).ToList();
            NextEnd = holding.Count == 0 ? null : holding.Min(h => h.Run.PlannedEnd);
        }

        public long Version { get; }

        public DeliveryOptimizationV1 Peering { get; }

        public IReadOnlyList<ShapedOpening> Openings { get; }

        public IReadOnlyList<long> RunIds { get; }

        public DateTimeOffset? NextEnd { get; }

        // The text a state's version is the hash of, written into one builder per thread: a shape is made for every
        // member when a big run opens, and the text itself is never needed.
        [ThreadStatic]
        private static (StringBuilder Text, Encoder Utf8)? t_identity;

        public static StateShape Of(IReadOnlyList<HeldRun> holding, IReadOnlyList<ScanRequestV1> scans, int inlineMaxRanges)
        {
            var openings = new List<ShapedOpening>();
            var (identity, utf8) = t_identity ??= (new StringBuilder(), Encoding.UTF8.GetEncoder());
            identity.Clear();
            foreach (var held in holding)
            {
                var run = held.Run;
                var reference = new PeerSetRefV1(held.PeerSet.Set.Hash, held.PeerSet.Set.Count, held.Except, held.PeerSet.Inline(inlineMaxRanges));
                foreach (var port in run.Definition.Ports)
                {
                    openings.Add(new ShapedOpening(held, port, reference));
                    identity.Append(CultureInfo.InvariantCulture, $"{run.Id}|{port.Port}/{port.Transport}|{run.PlannedEnd.ToUnixTimeMilliseconds()}|{held.PeerSet.Set.Hash}|");
                    AppendJoined(identity, held.Except, static address => address);
                    identity.Append(';');
                }
            }

            var peering = DeliveryOptimizationFor(holding);
            identity.Append(CultureInfo.InvariantCulture, $"do:{peering.Mode}:{peering.GroupId};scans:");
            AppendJoined(identity, scans, static scan => scan.ScanId);

            var version = VersionOf(identity, utf8);
            if (identity.Capacity > 16 * 1024)
            {
                // A rare state with very many ports or scans does not keep its buffer for the thread's lifetime.
                t_identity = null;
            }

            return new StateShape(holding, version, peering, openings);
        }

        private static void AppendJoined<T>(StringBuilder text, IReadOnlyList<T> items, Func<T, string> value)
        {
            for (var i = 0; i < items.Count; i++)
            {
                text.Append(i == 0 ? "" : ",").Append(value(items[i]));
            }
        }

        /// <summary>True when <paramref name="holding"/> are the runs this shape was made for, in the same order.</summary>
        public bool Holds(List<HeldRun> holding)
        {
            if (holding.Count != _holding.Count)
            {
                return false;
            }

            for (var i = 0; i < holding.Count; i++)
            {
                if (!ReferenceEquals(holding[i], _holding[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>One opening of a shape: the run held, the port, and the run's peer set by reference (for agents that
    /// asked for peer sets; the listed form is made at each call, since it holds every peer of the run).</summary>
    private sealed record ShapedOpening(HeldRun Held, PortRule Port, PeerSetRefV1 Reference);
}

/// <summary>A run's peer set, parsed once for all its members, with its wire forms made once on first use.</summary>
internal sealed class PeerSetEntry
{
    private readonly Lazy<string[]> _addresses;
    private readonly Lazy<string[]> _ranges;
    private readonly Lazy<byte[]> _json;
    private readonly Lazy<byte[]> _brotli;
    private readonly Lazy<byte[]> _gzip;

    public PeerSetEntry(RunPeerSet set)
    {
        Set = set;
        _addresses = new(() => set.Addresses().Select(a => a.ToString()).ToArray());
        _ranges = new(() => set.Ranges.Select(r => r.ToString()).ToArray());
        _json = new(() => JsonSerializer.SerializeToUtf8Bytes(new PeerSetV1(set.Hash, _ranges.Value), JsonSerializerOptions.Web));
        _brotli = new(() => Compress(_json.Value, s => new BrotliStream(s, CompressionLevel.SmallestSize)));
        _gzip = new(() => Compress(_json.Value, s => new GZipStream(s, CompressionLevel.SmallestSize)));
    }

    public RunPeerSet Set { get; }

    /// <summary>The set's ranges as the fetch answers them, for <see cref="PeerSetRefV1.Ranges"/>, when there are at most
    /// <paramref name="maxRanges"/>; null otherwise (the agent fetches the set by hash). One list shared by every member.</summary>
    public IReadOnlyList<string>? Inline(int maxRanges) => Set.Ranges.Count <= maxRanges ? _ranges.Value : null;

    /// <summary>The body of <see cref="AgentProtocolV1.PeerSetsPath"/> as sent: JSON, and compressed once per set (Brotli
    /// and gzip at their smallest), so 10,000 agents fetching one set cost no compression each (compressing per
    /// response was a measurable share of an opening at 10,000 members).</summary>
    public ReadOnlyMemory<byte> Body(string? encoding) => encoding switch
    {
        "br" => _brotli.Value,
        "gzip" => _gzip.Value,
        _ => _json.Value,
    };

    private static byte[] Compress(byte[] json, Func<Stream, Stream> compressor)
    {
        using var buffer = new MemoryStream();
        using (var stream = compressor(buffer))
        {
            stream.Write(json);
        }

        return buffer.ToArray();
    }

    /// <summary>Every address of the set but <paramref name="except"/> (a member's own few), for agents that take a full list.</summary>
    public IReadOnlyList<string> Without(IReadOnlyList<string> except) =>
        except.Count == 0 ? _addresses.Value : _addresses.Value.Where(a => !except.Contains(a, StringComparer.Ordinal)).ToList();
}
