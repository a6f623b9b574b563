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
/// A node that makes a change reads its own parked polls' states ahead before waking them (<see cref="NotifyAsync(IReadOnlyCollection{long}, Func{Task})"/>),
/// but tells the other nodes first; a node that hears of a change from another node reads the states of the polls it
/// holds for it in one go (<see cref="ReadAheadWith"/>) before waking them, instead of each woken poll reading its own.
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

    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();
    private readonly ConcurrentDictionary<long, long> _generations = new();
    private readonly Metrics.OrchestratorMetrics _metrics;
    private readonly IClusterSignals _signals;
    private readonly IDisposable _subscription;
    private readonly ILogger<DesiredStateNotifier> _log;
    private readonly TimeProvider _time;
    private Func<IReadOnlyCollection<long>, CancellationToken, Task>? _readAhead;
    private int _readAheadFrom = int.MaxValue;
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
            : _signals.PublishAsync(new ClusterSignal(Topic, ids.Select(id => id.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>
    /// Tells the other nodes at once, then runs <paramref name="beforeWakingHere"/> (reading this node's states ahead),
    /// then wakes this node's parked polls: the other nodes do not wait for this node's own read. With one node this is
    /// exactly "read ahead, then notify".
    /// </summary>
    public async Task NotifyAsync(IReadOnlyCollection<long> endpointIds, Func<Task> beforeWakingHere)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        ArgumentNullException.ThrowIfNull(beforeWakingHere);
        var ids = endpointIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            await beforeWakingHere();
            return;
        }

        var signal = new ClusterSignal(Topic, ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
        var told = _signals.TellOtherNodesAsync(signal);
        try
        {
            await beforeWakingHere();
        }
        finally
        {
            _signals.DeliverHere(signal);
            await told;
        }
    }

    /// <summary>
    /// What reads the current states of many endpoints in one go (<see cref="DesiredStates"/>): called for the polls
    /// parked here when another node's change wakes at least <paramref name="fromPolls"/> of them, before they are woken.
    /// </summary>
    public void ReadAheadWith(Func<IReadOnlyCollection<long>, CancellationToken, Task> readAhead, int fromPolls = RemoteReadAheadFromPolls)
    {
        ArgumentNullException.ThrowIfNull(readAhead);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromPolls, 1);
        lock (_readAheadLock)
        {
            (_readAhead, _readAheadFrom) = (readAhead, fromPolls);
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
        var from = int.MaxValue;
        if (signal.FromOtherNode)
        {
            lock (_readAheadLock)
            {
                (readAhead, from) = (_readAhead, _readAheadFrom);
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
            _ = Task.Run(() => ReadAheadThenWakeAsync(readAhead, parked));
            return;
        }

        foreach (var (_, waiter) in parked)
        {
            waiter.TrySetResult();
        }
    }

    private async Task ReadAheadThenWakeAsync(Func<IReadOnlyCollection<long>, CancellationToken, Task> readAhead, List<(long Id, TaskCompletionSource Waiter)> parked)
    {
        using var limit = new CancellationTokenSource(RemoteReadAheadLimit, _time);
        var started = _time.GetTimestamp();
        try
        {
            await readAhead([.. parked.Select(p => p.Id)], limit.Token);
            _log.LogDebug("Another node's change: the states of {Count} polls parked here read ahead in {ReadMs:0} ms; waking them", parked.Count, _time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e)
        {
            // Only a shortcut: each woken poll reads its own state.
            _log.LogWarning(e, "Reading ahead the desired states of {Count} parked polls after another node's change failed; each reads its own", parked.Count);
        }
        finally
        {
            foreach (var (_, waiter) in parked)
            {
                waiter.TrySetResult();
            }
        }
    }

    private void Wake(long endpointId)
    {
        if (_waiters.TryRemove(endpointId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
