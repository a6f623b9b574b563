namespace Orchestrator.Data.Signals;

/// <summary>
/// Tells every server node sharing the database that something it may hold in memory changed (a parked long-poll to
/// wake, a verified credential to drop). One node: delivered in-process. Several nodes on PostgreSQL: LISTEN/NOTIFY.
/// </summary>
/// <remarks>
/// A signal is a hint, never the data: every receiver reads the database again. Delivery to other nodes is best effort
/// (a node that was not listening gets <see cref="ClusterSignal.Everything"/> of every topic when it listens again), so
/// each cache also keeps its own bound on how long it trusts what it read.
/// </remarks>
public interface IClusterSignals
{
    /// <summary>
    /// Delivers <paramref name="signal"/> to this node's subscribers before the returned task's first await (the caller's
    /// own node never waits for the database to hear of its own change), then to the other nodes'. Call it after the
    /// change is committed. A failure to reach the other nodes is logged, not thrown: the change itself is done.
    /// </summary>
    Task PublishAsync(ClusterSignal signal, CancellationToken cancellationToken = default);

    /// <summary>
    /// The half of <see cref="PublishAsync"/> that reaches the other nodes only (nothing with one node). With
    /// <see cref="DeliverHere"/> it lets a caller tell the other nodes as soon as the change is committed and wake its
    /// own node later, once it has read ahead for its own callers. Logged, not thrown, like PublishAsync.
    /// </summary>
    Task TellOtherNodesAsync(ClusterSignal signal, CancellationToken cancellationToken = default);

    /// <summary>The half of <see cref="PublishAsync"/> that reaches this node's subscribers only, synchronously.</summary>
    void DeliverHere(ClusterSignal signal);

    /// <summary>
    /// <see cref="PublishAsync"/>, then waits until every other node has either applied the signal or stopped trusting
    /// what it keeps in memory (<see cref="IsCaughtUp"/> false there), so the change holds at the caller's very next
    /// request on any node. For changes that must (a revoked agent credential); it costs the caller a wait (one node:
    /// none; several: <c>AppliedEverywhereWithin</c> of the PostgreSQL signals, 1 s).
    /// </summary>
    Task PublishAndSettleAsync(ClusterSignal signal, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether this node has applied every signal that <see cref="PublishAndSettleAsync"/> on another node has finished
    /// waiting for: while true, what its subscribers keep in memory may be trusted for those changes; while false
    /// (its listener is down, notifications are late, the database cannot be asked) a cache must read the database.
    /// One node: always true.
    /// </summary>
    bool IsCaughtUp { get; }

    /// <summary>Calls <paramref name="handler"/> for every signal of <paramref name="topic"/>, from this node or another,
    /// until the subscription is disposed. Handlers run on the delivering thread: keep them short and non-blocking.</summary>
    IDisposable Subscribe(string topic, Action<ClusterSignal> handler);

    /// <summary>Receives other nodes' signals until <paramref name="stopping"/>; returns at once where there are none
    /// (one node). The host runs it in the background.</summary>
    Task ListenAsync(CancellationToken stopping);
}
