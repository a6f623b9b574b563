using System.Collections.Concurrent;

namespace Orchestrator.Server.Agents;

/// <summary>
/// Wakes long-polling agents when their endpoint's desired state may have changed. In-process: one server node
/// holds the agents' connections (a multi-node deployment needs a shared signal, e.g. PostgreSQL LISTEN/NOTIFY).
/// </summary>
internal sealed class DesiredStateNotifier
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();

    /// <summary>
    /// A task that completes at the next <see cref="Notify"/> for the endpoint. Take it before reading the state, so
    /// that a change between the read and the wait is not lost.
    /// </summary>
    public Task NextChange(long endpointId) =>
        _waiters.GetOrAdd(endpointId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(IEnumerable<long> endpointIds)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        foreach (var id in endpointIds)
        {
            if (_waiters.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }
}
