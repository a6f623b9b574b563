using Microsoft.Extensions.Logging;
using Npgsql;
using Orchestrator.Data.Signals;
using Polly;
using Polly.Retry;

namespace Orchestrator.Data.Postgres.Signals;

/// <summary>
/// Signals between server nodes sharing one PostgreSQL database: <c>pg_notify</c> right after the change is committed,
/// and one dedicated <c>LISTEN</c> connection per node that hands other nodes' signals to this node's subscribers.
/// </summary>
/// <remarks>
/// NOTIFY is not replayed: whatever is sent while a node's listener is down is lost to it. So every time the listener
/// (re)connects, each topic is delivered as "everything changed" (caches dropped, parked polls woken to read again),
/// and the caches keep their own re-read bounds for a signal lost in between (a node that dies between commit and
/// NOTIFY). The listener's connection sends keepalives, so a dead server or network is noticed, and reconnects with
/// exponential backoff. Notifications do not pass PgBouncer in transaction pooling: point the nodes at PostgreSQL itself
/// or at a session-pooling bouncer.
/// <para>Each notification takes the next number of sequence <c>signal_number</c> as it is sent. Every
/// <see cref="PostgresSignalsOptions.CatchUpInterval"/> a node reads the sequence and waits until every number up to it
/// has arrived: it then knows it has applied everything sent before the read began. It counts as caught up
/// (<see cref="IsCaughtUp"/>) while such a confirmation began less than
/// <see cref="PostgresSignalsOptions.AppliedEverywhereWithin"/> ago, and <see cref="PublishAndSettleAsync"/> waits that
/// long after sending: a node that confirmed after the wait has applied the signal, one that did not is not caught up.</para>
/// </remarks>
public sealed class PostgresClusterSignals : IClusterSignals, IAsyncDisposable
{
    /// <summary>The sequence that numbers every notification (db/postgres/0005_signal_number.sql).</summary>
    private const string SequenceName = PostgresDatabase.Schema + ".signal_number";

    private readonly ClusterSignalSubscribers _subscribers = new();
    private readonly NpgsqlDataSource _publisher;
    private readonly string _listenConnectionString;
    private readonly PostgresSignalsOptions _options;
    private readonly ILogger<PostgresClusterSignals> _log;
    private readonly ResiliencePipeline _reconnect;
    private readonly TimeProvider _time;
    private readonly SignalLedger _ledger = new();
    private int _listenerProcessId;
    private long _confirmedAt;
    private long _connections;

    public PostgresClusterSignals(string connectionString, PostgresSignalsOptions options, ILogger<PostgresClusterSignals> log, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(options);
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(options, new(options), validateAllProperties: true);
        _options = options;
        _log = log;
        _time = time ?? TimeProvider.System;
        _publisher = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "orchestrator-signals-send" }.ConnectionString).Build();
        // Its own physical connection (never a pooled one handed back half-listening), checked while idle.
        _listenConnectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = (int)Math.Ceiling(options.KeepAlive.TotalSeconds),
            ApplicationName = "orchestrator-signals",
        }.ConnectionString;
        _reconnect = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ReconnectDelay,
                MaxDelay = options.MaxReconnectDelay,
                OnRetry = args =>
                {
                    _log.LogWarning(args.Outcome.Exception, "Cluster signals: listening on PostgreSQL failed (attempt {Attempt}); trying again in {Delay}", args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
        if (options.CatchUpInterval >= options.AppliedEverywhereWithin)
        {
            throw new ArgumentException(
                $"{nameof(options.CatchUpInterval)} ({options.CatchUpInterval}) must be shorter than {nameof(options.AppliedEverywhereWithin)} ({options.AppliedEverywhereWithin})",
                nameof(options));
        }

        _subscribers.HandlerFailed += (signal, e) => _log.LogError(e, "Cluster signals: a handler of topic {Topic} failed", signal.Topic);
    }

    /// <summary>This node's name in its notifications (it skips its own: it applied them before sending).</summary>
    public string Node { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The PostgreSQL backend process of the listening connection while it listens, else null.</summary>
    public int? ListenerProcessId => Volatile.Read(ref _listenerProcessId) is > 0 and var pid ? pid : null;

    /// <summary>How many times the listener has connected and started listening (each one delivered "everything").</summary>
    public long Connections => Interlocked.Read(ref _connections);

    public Task PublishAsync(ClusterSignal signal, CancellationToken cancellationToken = default)
    {
        DeliverHere(signal);
        return TellOtherNodesAsync(signal, cancellationToken);
    }

    public void DeliverHere(ClusterSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        _subscribers.Deliver(signal);
    }

    public async Task TellOtherNodesAsync(ClusterSignal signal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var payloads = SignalPayload.Encode(Node, signal, _options.MaxPayloadBytes, _options.MaxNotificationsPerSignal);
        if (payloads.Count == 0)
        {
            return;
        }

        try
        {
            // One statement: the notifications of one signal are delivered together, at its commit.
            // Each notification takes its number as it goes: nextval is not undone, so a number taken by a statement that
            // then fails is never sent, and the receivers' confirmation stops waiting for it with "everything".
            await using var command = _publisher.CreateCommand(
                $"SELECT count(pg_notify(@channel, @head || nextval('{SequenceName}') || '|' || p)) FROM unnest(@payloads) AS p");
            command.Parameters.AddWithValue("channel", _options.Channel);
            command.Parameters.AddWithValue("head", SignalPayload.Head);
            command.Parameters.AddWithValue("payloads", payloads.ToArray());
            await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The change is committed; the other nodes re-read on their own bounds (and everything when they reconnect).
            _log.LogWarning(e, "Cluster signals: telling the other nodes of {Topic} ({Count} keys) failed", signal.Topic, signal.Keys.Count);
        }
    }

    public IDisposable Subscribe(string topic, Action<ClusterSignal> handler) => _subscribers.Add(topic, handler);

    public async Task PublishAndSettleAsync(ClusterSignal signal, CancellationToken cancellationToken = default)
    {
        await PublishAsync(signal, cancellationToken);
        await Task.Delay(_options.AppliedEverywhereWithin, _time, cancellationToken);
    }

    public bool IsCaughtUp =>
        _ledger.IsOpen && _time.GetElapsedTime(Interlocked.Read(ref _confirmedAt)) < _options.AppliedEverywhereWithin;

    public Task ListenAsync(CancellationToken stopping) => Task.WhenAll(ListenUntilStoppedAsync(stopping), ConfirmUntilStoppedAsync(stopping));

    private async Task ListenUntilStoppedAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // A connection that listened and then broke returns here: the next one starts with a fresh backoff,
                // after the first delay (a connection that breaks as soon as it listens must not spin).
                await _reconnect.ExecuteAsync(ListenOnceAsync, stopping);
                await Task.Delay(_options.ReconnectDelay, _time, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public ValueTask DisposeAsync() => _publisher.DisposeAsync();

    /// <summary>Confirms, every <see cref="PostgresSignalsOptions.CatchUpInterval"/> while listening, that every signal
    /// numbered before the confirmation began has been applied here.</summary>
    private async Task ConfirmUntilStoppedAsync(CancellationToken stopping)
    {
        while (true)
        {
            try
            {
                await Task.Delay(_options.CatchUpInterval, _time, stopping);
                if (_ledger.IsOpen)
                {
                    await ConfirmOnceAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Not confirmed: IsCaughtUp turns false once the last confirmation is too old, and caches read again.
                _log.LogDebug(e, "Cluster signals: confirming that every signal has arrived failed");
            }
        }
    }

    private async Task ConfirmOnceAsync(CancellationToken stopping)
    {
        var began = _time.GetTimestamp();
        long latest;
        await using (var connection = await _publisher.OpenConnectionAsync(stopping))
        {
            latest = await LatestNumberAsync(connection, stopping);
        }

        if (!await _ledger.ReachedAsync(latest, _options.NotificationLateAfter, _time, stopping))
        {
            if (!_ledger.IsOpen)
            {
                return;
            }

            // Lost (its sender failed after taking its number) or stuck on its way: whatever it said, it is covered.
            _log.LogWarning(
                "Cluster signals: signals up to number {Latest} had not all arrived within {Late} (all arrived up to {Applied}); treating everything as changed",
                latest, _options.NotificationLateAfter, _ledger.Applied);
            _subscribers.DeliverEverything();
            _ledger.SkipTo(latest);
        }

        Confirmed(began);
    }

    private void Confirmed(long began)
    {
        long current;
        while (began > (current = Interlocked.Read(ref _confirmedAt))
               && Interlocked.CompareExchange(ref _confirmedAt, began, current) != current)
        {
        }
    }

    /// <summary>Listens until the connection breaks (returns) or stopping; throws when it could not start listening.</summary>
    private async ValueTask ListenOnceAsync(CancellationToken stopping)
    {
        await using var connection = new NpgsqlConnection(_listenConnectionString);
        connection.Notification += OnNotification;
        await connection.OpenAsync(stopping);
        await using (var listen = new NpgsqlCommand($"LISTEN {_options.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stopping);
        }

        // Read once LISTEN has taken effect: every number after it will arrive here, every one up to it is covered by
        // the "everything" below.
        var began = _time.GetTimestamp();
        var latest = await LatestNumberAsync(connection, stopping);
        Volatile.Write(ref _listenerProcessId, connection.ProcessID);
        _log.LogInformation("Cluster signals: listening on PostgreSQL channel {Channel} (node {Node})", _options.Channel, Node);

        // Nothing sent while this node was not listening will come again: drop every cache, wake every parked poll.
        // Counted after: a connection counted has delivered its "everything" (a subscriber added later never hears it).
        _subscribers.DeliverEverything();
        _ledger.Open(latest);
        Confirmed(began);
        Interlocked.Increment(ref _connections);
        try
        {
            while (true)
            {
                await connection.WaitAsync(stopping);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            _log.LogWarning(e, "Cluster signals: the listening connection to PostgreSQL broke; reconnecting");
        }
        finally
        {
            _ledger.Close();
            Volatile.Write(ref _listenerProcessId, 0);
        }
    }

    private static async Task<long> LatestNumberAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Read outside any snapshot: a sequence shows the last number taken by anyone, committed or not.
        await using var command = new NpgsqlCommand($"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {SequenceName}", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!SignalPayload.TryDecode(e.Payload, out var number, out var node, out var signal))
        {
            // A node of another version, or a stray NOTIFY on the channel: whatever it meant, nothing here is trusted.
            _log.LogWarning("Cluster signals: a notification this node cannot read ({Length} bytes); treating everything as changed", e.Payload.Length);
            _subscribers.DeliverEverything();
            return;
        }

        if (!string.Equals(node, Node, StringComparison.Ordinal))
        {
            _subscribers.Deliver(signal! with { FromOtherNode = true });
        }

        // Counted once its subscribers have it (this node's own were delivered before it was sent).
        _ledger.Record(number);
    }
}
