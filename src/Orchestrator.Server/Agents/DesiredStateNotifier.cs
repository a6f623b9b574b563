using System.Collections.Concurrent;
using System.Globalization;
using Orchestrator.Data.Signals;

namespace Orchestrator.Server.Agents;

/// <summary>
/// Wakes long-polling agents when their endpoint's desired state may have changed, on every server node: a change is
/// published on <see cref="IClusterSignals"/> and each node wakes the polls it holds (in-process with one node,
/// PostgreSQL LISTEN/NOTIFY with several).
/// </summary>
/// <remarks>
/// Each endpoint also has a generation that every notification moves on: what was read or acknowledged at one
/// generation is still true at the same generation, which lets <see cref="DesiredStates"/> keep what it read. A signal
/// for every endpoint (a node's listener reconnected and may have missed some) moves all generations on at once.
/// A node that makes a change reads its own parked polls' states ahead before waking them, a chunk at a time
/// (<see cref="NotifyAsync(IReadOnlyCollection{long}, Func{IReadOnlyCollection{long}, Task}, int)"/>),
/// but tells the other nodes first; a node that hears of a change from another node reads the states of the polls it
/// holds for it in one go, chunk by chunk (<see cref="ReadAheadWith"/>), before waking them, instead of each woken poll
/// reading its own.
/// </remarks>
internal sealed class DesiredStateNotifier : IDisposable
{
    /// <summary>The signal topic: keys are endpoint ids.</summary>
    public const string Topic = "desired-state";

    /// <summary>
    /// Fewest polls parked here that another node's change must wake for this node to read their states in one go
    /// before waking them. Fewer are woken at once and each reads its own (two small queries each, as quick as one read
    /// for all: measured on two loaded nodes, a first read-ahead of 3 polls cost more than their own reads); many (a run
    /// opening for thousands) would otherwise each query the database at the same moment.
    /// </summary>
    public const int RemoteReadAheadFromPolls = 16;

    /// <summary>Longest the polls woken by another node's change wait for this node's read-ahead of their states; past it
    /// they are woken anyway and each reads its own (a slow database must not hold a change back).</summary>
    public static readonly TimeSpan RemoteReadAheadLimit = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most endpoints whose states are read ahead before their polls wake: a run opening for 10,000 is read and woken
    /// a thousand at a time, so the first agents are answered ~25 ms after the commit instead of after the whole read,
    /// and answering them overlaps reading the rest (the read runs on one core).
    /// </summary>
    public const int ReadAheadChunk = 1_000;

    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();
    private readonly ConcurrentDictionary<long, long> _generations = new();
    private readonly Metrics.OrchestratorMetrics _metrics;
    private readonly IClusterSignals _signals;
    private readonly IDisposable _subscription;
    private readonly ILogger<DesiredStateNotifier> _log;
    private readonly TimeProvider _time;
    private Func<IReadOnlyCollection<long>, CancellationToken, Task>? _readAhead;
    private int _readAheadFrom = int.MaxValue;
    private int _readAheadChunk = ReadAheadChunk;
    private readonly Lock _readAheadLock = new();

    // Added to every endpoint's generation: moved on when anything may have changed.
    private long _epoch;

    public DesiredStateNotifier(Metrics.OrchestratorMetrics metrics, IClusterSignals signals, TimeProvider time, ILogger<DesiredStateNotifier> log)
    {
        _log = log;
        _time = time;
        _metrics = metrics;
        _signals = signals;
        _subscription = signals.Subscribe(Topic, Apply);
    }

    /// <summary>
    /// A task that completes at the next notification for the endpoint. Take it before reading the state, so
    /// that a change between the read and the wait is not lost.
    /// </summary>
    public Task NextChange(long endpointId) =>
        _waiters.GetOrAdd(endpointId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Moves on at every notification for the endpoint. Read it before reading the state.</summary>
    public long Generation(long endpointId) => _generations.GetValueOrDefault(endpointId) + Interlocked.Read(ref _epoch);

    /// <summary>
    /// The endpoints' desired state may have changed (committed): this node's parked polls wake before the first await,
    /// the other nodes' once they hear of it.
    /// </summary>
    public Task NotifyAsync(IEnumerable<long> endpointIds)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        var ids = endpointIds.Distinct().ToList();
        return ids.Count == 0
            ? Task.CompletedTask
            : _signals.PublishAsync(SignalOf(ids));
    }

    /// <summary>
    /// Tells the other nodes at once, then reads this node's states ahead (<paramref name="readAhead"/>) in chunks of
    /// <paramref name="chunk"/> endpoints and wakes each chunk's parked polls as soon as its states are read: the other
    /// nodes do not wait for this node's own read, and the first polls are answered while later chunks are still being
    /// read (one read of 10,000 states took 250 ms before the first poll woke). A chunk whose read fails is woken anyway:
    /// its polls read their own states.
    /// </summary>
    public async Task NotifyAsync(IReadOnlyCollection<long> endpointIds, Func<IReadOnlyCollection<long>, Task> readAhead, int chunk = ReadAheadChunk)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        ArgumentNullException.ThrowIfNull(readAhead);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var ids = endpointIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var told = _signals.TellOtherNodesAsync(SignalOf(ids));
        try
        {
            await InChunksAsync(ids, chunk, readAhead, part => _signals.DeliverHere(SignalOf(part)));
        }
        finally
        {
            await told;
        }
    }

    /// <summary>
    /// What reads the current states of many endpoints in one go (<see cref="DesiredStates"/>): called for the polls
    /// parked here when another node's change wakes at least <paramref name="fromPolls"/> of them, <paramref name="chunk"/>
    /// polls at a time, each chunk woken once its states are read.
    /// </summary>
    public void ReadAheadWith(Func<IReadOnlyCollection<long>, CancellationToken, Task> readAhead, int fromPolls = RemoteReadAheadFromPolls, int chunk = ReadAheadChunk)
    {
        ArgumentNullException.ThrowIfNull(readAhead);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromPolls, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        lock (_readAheadLock)
        {
            (_readAhead, _readAheadFrom, _readAheadChunk) = (readAhead, fromPolls, chunk);
        }
    }

    public void Dispose() => _subscription.Dispose();

    private void Apply(ClusterSignal signal)
    {
        if (signal.IsEverything)
        {
            Interlocked.Increment(ref _epoch);
            foreach (var id in _waiters.Keys)
            {
                Wake(id);
            }

            return;
        }

        var ids = signal.KeysAsIds().ToList();
        _metrics.StateChanged(ids);
        Func<IReadOnlyCollection<long>, CancellationToken, Task>? readAhead = null;
        var (from, chunk) = (int.MaxValue, ReadAheadChunk);
        if (signal.FromOtherNode)
        {
            lock (_readAheadLock)
            {
                (readAhead, from, chunk) = (_readAhead, _readAheadFrom, _readAheadChunk);
            }
        }

        List<(long Id, TaskCompletionSource Waiter)> parked = [];
        foreach (var id in ids)
        {
            _generations.AddOrUpdate(id, 1, (_, generation) => generation + 1);
            if (_waiters.TryRemove(id, out var waiter))
            {
                // Out of the table now: a poll that starts from here on waits for the next change, at the new generation.
                parked.Add((id, waiter));
            }
        }

        if (readAhead is not null && parked.Count >= from)
        {
            // Off the listener's thread: it must go back to receiving.
            _ = Task.Run(() => ReadAheadThenWakeAsync(readAhead, parked, chunk));
            return;
        }

        foreach (var (_, waiter) in parked)
        {
            waiter.TrySetResult();
        }
    }

    private async Task ReadAheadThenWakeAsync(Func<IReadOnlyCollection<long>, CancellationToken, Task> readAhead, List<(long Id, TaskCompletionSource Waiter)> parked, int chunk)
    {
        using var limit = new CancellationTokenSource(RemoteReadAheadLimit, _time);
        var started = _time.GetTimestamp();
        try
        {
            await InChunksAsync(parked, chunk, part => readAhead([.. part.Select(p => p.Id)], limit.Token), part =>
            {
                foreach (var (_, waiter) in part)
                {
                    waiter.TrySetResult();
                }
            });
            _log.LogDebug("Another node's change: the states of {Count} polls parked here read ahead in {ReadMs:0} ms", parked.Count, _time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e)
        {
            // Only a shortcut: the polls not read for are woken all the same and each reads its own state.
            _log.LogWarning(e, "Reading ahead the desired states of {Count} parked polls after another node's change failed; each reads its own", parked.Count);
        }
    }

    /// <summary>
    /// Reads <paramref name="items"/> ahead chunk by chunk, waking each chunk once read; whatever is not woken when a
    /// read throws is woken before the exception leaves (unread: those polls read their own states).
    /// </summary>
    private static async Task InChunksAsync<T>(List<T> items, int chunk, Func<T[], Task> readAhead, Action<IReadOnlyList<T>> wake)
    {
        var woken = 0;
        try
        {
            foreach (var part in items.Chunk(chunk))
            {
                await readAhead(part);
                wake(part);
                woken += part.Length;
            }
        }
        finally
        {
            if (woken < items.Count)
            {
                wake(items.GetRange(woken, items.Count - woken));
            }
        }
    }

    private static ClusterSignal SignalOf(IEnumerable<long> ids) =>
        new(Topic, ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));

    private void Wake(long endpointId)
    {
        if (_waiters.TryRemove(endpointId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
