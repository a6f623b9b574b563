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
/// </remarks>
public sealed class PostgresClusterSignals : IClusterSignals, IAsyncDisposable
{
    private readonly ClusterSignalSubscribers _subscribers = new();
    private readonly NpgsqlDataSource _publisher;
    private readonly string _listenConnectionString;
    private readonly PostgresSignalsOptions _options;
    private readonly ILogger<PostgresClusterSignals> _log;
    private readonly ResiliencePipeline _reconnect;
    private readonly TimeProvider _time;
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
            await using var command = _publisher.CreateCommand("SELECT count(pg_notify(@channel, p)) FROM unnest(@payloads) AS p");
            command.Parameters.AddWithValue("channel", _options.Channel);
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

        Volatile.Write(ref _listenerProcessId, connection.ProcessID);
        _log.LogInformation("Cluster signals: listening on PostgreSQL channel {Channel} (node {Node})", _options.Channel, Node);

        // Nothing sent while this node was not listening will come again: drop every cache, wake every parked poll.
        // Counted after: a connection counted has delivered its "everything" (a subscriber added later never hears it).
        _subscribers.DeliverEverything();
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
            Volatile.Write(ref _listenerProcessId, 0);
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!SignalPayload.TryDecode(e.Payload, out var node, out var signal))
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
    }
}
