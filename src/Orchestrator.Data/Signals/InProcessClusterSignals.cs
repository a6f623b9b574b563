namespace Orchestrator.Data.Signals;

/// <summary>
/// One server node (SQLite): a signal reaches this process's subscribers, synchronously, and nothing else. The
/// behaviour of a single node is exactly that of calling the subscribers directly.
/// </summary>
public sealed class InProcessClusterSignals : IClusterSignals
{
    private readonly ClusterSignalSubscribers _subscribers = new();

    public Task PublishAsync(ClusterSignal signal, CancellationToken cancellationToken = default)
    {
        _subscribers.Deliver(signal);
        return Task.CompletedTask;
    }

    public Task TellOtherNodesAsync(ClusterSignal signal, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public void DeliverHere(ClusterSignal signal) => _subscribers.Deliver(signal);

    public Task PublishAndSettleAsync(ClusterSignal signal, CancellationToken cancellationToken = default) =>
        PublishAsync(signal, cancellationToken);

    public bool IsCaughtUp => true;

    public IDisposable Subscribe(string topic, Action<ClusterSignal> handler) => _subscribers.Add(topic, handler);

    public Task ListenAsync(CancellationToken stopping) => Task.CompletedTask;
}
