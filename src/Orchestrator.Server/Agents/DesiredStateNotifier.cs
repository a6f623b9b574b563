using System.Collections.Concurrent;

namespace Orchestrator.Server.Agents;

/// <summary>
/// Wakes long-polling agents when their endpoint's desired state may have changed. In-process: one server node
/// holds the agents' connections (a multi-node deployment needs a shared signal, e.g. PostgreSQL LISTEN/NOTIFY).
/// </summary>
/// <remarks>
/// Each endpoint also has a generation that every <see cref="Notify"/> moves on: what was read or acknowledged at one
/// generation is still true at the same generation, which lets <see cref="DesiredStates"/> keep what it read.
/// </remarks>
internal sealed class DesiredStateNotifier(Metrics.OrchestratorMetrics metrics)
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();
    private readonly ConcurrentDictionary<long, long> _generations = new();

    /// <summary>
    /// A task that completes at the next <see cref="Notify"/> for the endpoint. Take it before reading the state, so
    /// that a change between the read and the wait is not lost.
    /// </summary>
    public Task NextChange(long endpointId) =>
        _waiters.GetOrAdd(endpointId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Moves on at every <see cref="Notify"/> for the endpoint. Read it before reading the state.</summary>
    public long Generation(long endpointId) => _generations.GetValueOrDefault(endpointId);

    public void Notify(IEnumerable<long> endpointIds)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        var ids = endpointIds.ToList();
        metrics.StateChanged(ids);
        foreach (var id in ids)
        {
            _generations.AddOrUpdate(id, 1, (_, generation) => generation + 1);
            if (_waiters.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }
}
