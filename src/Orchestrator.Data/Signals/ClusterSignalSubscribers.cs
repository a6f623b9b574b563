using System.Collections.Immutable;

namespace Orchestrator.Data.Signals;

/// <summary>This node's subscribers, by topic: every <see cref="IClusterSignals"/> delivers through one of these.</summary>
public sealed class ClusterSignalSubscribers
{
    private ImmutableDictionary<string, ImmutableArray<Action<ClusterSignal>>> _handlers =
        ImmutableDictionary.Create<string, ImmutableArray<Action<ClusterSignal>>>(StringComparer.Ordinal);

    /// <summary>A handler that threw (it is still called for later signals); the bus logs it. Without a listener here
    /// the failures are thrown to the deliverer once every handler has run.</summary>
    public event Action<ClusterSignal, Exception>? HandlerFailed;

    /// <summary>The topics someone listens to.</summary>
    public IReadOnlyCollection<string> Topics => [.. Volatile.Read(ref _handlers).Keys];

    public IDisposable Add(string topic, Action<ClusterSignal> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.AddOrUpdate(ref _handlers, topic, [handler], (_, list) => list.Add(handler));
        return new Subscription(this, topic, handler);
    }

    /// <summary>Calls every handler of the signal's topic; one that throws does not keep the others from hearing it.</summary>
    public void Deliver(ClusterSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (!Volatile.Read(ref _handlers).TryGetValue(signal.Topic, out var handlers))
        {
            return;
        }

        List<Exception>? failures = null;
        foreach (var handler in handlers)
        {
            try
            {
                handler(signal);
            }
            catch (Exception e)
            {
                if (HandlerFailed is { } failed)
                {
                    failed(signal, e);
                }
                else
                {
                    (failures ??= []).Add(e);
                }
            }
        }

        if (failures is not null)
        {
            throw new AggregateException($"A handler of signal topic '{signal.Topic}' failed", failures);
        }
    }

    /// <summary>Every topic may have changed (a listener (re)connected and could have missed anything).</summary>
    public void DeliverEverything()
    {
        foreach (var topic in Topics)
        {
            Deliver(ClusterSignal.Everything(topic));
        }
    }

    private void Remove(string topic, Action<ClusterSignal> handler) =>
        ImmutableInterlocked.Update(ref _handlers, handlers =>
        {
            if (!handlers.TryGetValue(topic, out var list))
            {
                return handlers;
            }

            var rest = list.Remove(handler);
            return rest.IsEmpty ? handlers.Remove(topic) : handlers.SetItem(topic, rest);
        });

    private sealed class Subscription(ClusterSignalSubscribers owner, string topic, Action<ClusterSignal> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(topic, handler);
            }
        }
    }
}
