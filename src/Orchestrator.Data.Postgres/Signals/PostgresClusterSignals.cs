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
/// <para>Each notification takes the next number of sequence <c>signal_number</c> as it is sent, so a node can tell
/// whether it has heard everything sent before a given moment (<see cref="CaughtUpAsync"/>): it reads the sequence and
/// waits until every number up to that one has arrived.</para>
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
    private readonly CoalescedRead<long> _latestNumber;
    private int _listenerProcessId;
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
        _latestNumber = new CoalescedRead<long>(async () =>
        {
            await using var connection = await _publisher.OpenConnectionAsync();
            return await LatestNumberAsync(connection, CancellationToken.None);
        });
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
            // then fails is never sent, and the receivers' wait for it ends in "everything" (CaughtUpAsync).
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

    /// <summary>
    /// Reads the last number any node took (a read that starts after this call, shared with the callers who ask at the
    /// same time) and waits, up to <see cref="PostgresSignalsOptions.NotificationLateAfter"/>, until every number up to
    /// it has been delivered here. A number still missing then was lost or is stuck: "everything" is delivered in its
    /// place (once, by one caller) and the caller is told no, so it reads the database itself.
    /// </summary>
    public async ValueTask<bool> CaughtUpAsync(CancellationToken cancellationToken)
    {
        if (!_ledger.IsOpen)
        {
            return false;
        }

        long latest;
        try
        {
            latest = await _latestNumber.ReadAsync().WaitAsync(_options.NotificationLateAfter, _time, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogDebug(e, "Cluster signals: the last signal number could not be read; this request does not trust what is cached");
            return false;
        }

        if (await _ledger.ReachedAsync(latest, _options.NotificationLateAfter, _time, cancellationToken))
        {
            return true;
        }

        if (_ledger.BeginSkip(latest))
        {
            _log.LogWarning(
                "Cluster signals: signals up to number {Latest} had not all arrived within {Late} (the last in order is {Applied}); treating everything as changed",
                latest, _options.NotificationLateAfter, _ledger.Applied);
            try
            {
                _subscribers.DeliverEverything();
            }
            finally
            {
                _ledger.EndSkip(latest);
            }
        }

        return false;
    }

    public async Task ListenAsync(CancellationToken stopping)
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
        var latest = await LatestNumberAsync(connection, stopping);
        Volatile.Write(ref _listenerProcessId, connection.ProcessID);
        _log.LogInformation("Cluster signals: listening on PostgreSQL channel {Channel} (node {Node})", _options.Channel, Node);

        // Nothing sent while this node was not listening will come again: drop every cache, wake every parked poll.
        // Counted after: a connection counted has delivered its "everything" (a subscriber added later never hears it).
        _subscribers.DeliverEverything();
        _ledger.Open(latest);
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
