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
/// </remarks>
internal sealed class DesiredStateNotifier : IDisposable
{
    /// <summary>The signal topic: keys are endpoint ids.</summary>
    public const string Topic = "desired-state";

    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();
    private readonly ConcurrentDictionary<long, long> _generations = new();
    private readonly Metrics.OrchestratorMetrics _metrics;
    private readonly IClusterSignals _signals;
    private readonly IDisposable _subscription;

    // Added to every endpoint's generation: moved on when anything may have changed.
    private long _epoch;

    public DesiredStateNotifier(Metrics.OrchestratorMetrics metrics, IClusterSignals signals)
    {
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
        foreach (var id in ids)
        {
            _generations.AddOrUpdate(id, 1, (_, generation) => generation + 1);
            Wake(id);
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
