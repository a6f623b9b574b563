using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestrator.Data.Postgres.Signals;
using Orchestrator.Data.Signals;
using Orchestrator.Testing.Postgres;

namespace Orchestrator.Data.Tests.Signals;

/// <summary>
/// The bus between server nodes on a real PostgreSQL: what one node publishes reaches the others through NOTIFY, a node
/// whose listening connection is killed reconnects and treats everything as changed, and a signal too big for one
/// notification is split or becomes "everything".
/// </summary>
public sealed class PostgresClusterSignalsTests(PostgresSignalsCluster fixture) : IClassFixture<PostgresSignalsCluster>
{
    private const string Topic = "desired-state";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ASignalPublishedOnOneNodeReachesTheOtherNodeAndItsOwnSubscribersOnlyOnce()
    {
        PostgresPrerequisites.Require();
        var database = await fixture.CreateDatabaseAsync();
        await using var a = await Node.StartAsync(database);
        await using var b = await Node.StartAsync(database);

        var publish = a.Signals.PublishAsync(new ClusterSignal(Topic, ["7", "9"]), TestContext.Current.CancellationToken);
        Assert.Equal(["7,9"], a.Heard);  // this node's own subscribers hear before the database does
        await publish;
        Assert.Equal("7,9", await b.NextAsync());

        // Notifications arrive in commit order: once B's reply reaches A, A's own echo would have come before it.
        await b.Signals.PublishAsync(new ClusterSignal(Topic, ["11"]), TestContext.Current.CancellationToken);
        Assert.Equal("11", await a.NextAsync(afterCount: 1));
        Assert.Equal(["7,9", "11"], a.Heard);
    }

    [Fact]
    public async Task TellingTheOtherNodesReachesOnlyThemAndDeliveringHereOnlyThisNodeWhichKnowsWhereEachCameFrom()
    {
        PostgresPrerequisites.Require();
        var database = await fixture.CreateDatabaseAsync();
        await using var a = await Node.StartAsync(database);
        await using var b = await Node.StartAsync(database);

        await a.Signals.TellOtherNodesAsync(new ClusterSignal(Topic, ["7"]), TestContext.Current.CancellationToken);
        Assert.Equal("7", await b.NextAsync());
        a.Signals.DeliverHere(new ClusterSignal(Topic, ["8"]));
        Assert.Equal(["8"], a.Heard);

        // B's reply reaches A after anything A sent before it (commit order): A never heard its own "7", and B never "8".
        await b.Signals.PublishAsync(new ClusterSignal(Topic, ["9"]), TestContext.Current.CancellationToken);
        Assert.Equal("9", await a.NextAsync(afterCount: 1));
        Assert.Equal(["8", "9"], a.Heard);
        Assert.Equal([false, true], a.FromOtherNode);
        Assert.Equal(["7", "9"], b.Heard);
        Assert.Equal([true, false], b.FromOtherNode);
    }

    [Fact]
    public async Task AListenerWhoseConnectionTheServerKillsReconnectsSignalsEverythingAndHearsLaterSignals()
    {
        PostgresPrerequisites.Require();
        var database = await fixture.CreateDatabaseAsync();
        await using var a = await Node.StartAsync(database);
        await using var b = await Node.StartAsync(database);
        var killed = a.Signals.ListenerProcessId!.Value;

        var watch = Stopwatch.StartNew();
        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin);
            terminate.Parameters.AddWithValue("pid", killed);
            Assert.Equal(true, await terminate.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }

        Assert.Equal("*", await a.NextAsync());
        await WaitForAsync(() => a.Signals.Connections == 2 && a.Signals.ListenerProcessId is { } pid && pid != killed, "a second listening connection");
        Console.WriteLine($"Cluster signals: listener reconnected and signalled everything {watch.ElapsedMilliseconds} ms after its backend was terminated");

        await b.Signals.PublishAsync(new ClusterSignal(Topic, ["42"]), TestContext.Current.CancellationToken);
        Assert.Equal("42", await a.NextAsync(afterCount: 1));
    }

    [Fact]
    public async Task ASignalTooBigForOneNotificationIsSplitAndOneTooBigForAllowedNotificationsSaysEverything()
    {
        PostgresPrerequisites.Require();
        var database = await fixture.CreateDatabaseAsync();
        await using var a = await Node.StartAsync(database, o => (o.MaxPayloadBytes, o.MaxNotificationsPerSignal) = (256, 2));
        await using var b = await Node.StartAsync(database);
        var ids = Enumerable.Range(10_000, 50).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();

        await a.Signals.PublishAsync(new ClusterSignal(Topic, ids), TestContext.Current.CancellationToken);
        var first = await b.NextAsync();
        var second = await b.NextAsync(afterCount: 1);
        Assert.Equal(ids, first.Split(',').Concat(second.Split(',')));

        await a.Signals.PublishAsync(new ClusterSignal(Topic, Enumerable.Range(10_000, 100).Select(i => i.ToString(CultureInfo.InvariantCulture))), TestContext.Current.CancellationToken);
        Assert.Equal("*", await b.NextAsync(afterCount: 2));
    }

    [Fact]
    public async Task TenThousandEndpointIdsReachTheOtherNodeWithinPostgresPayloadLimit()
    {
        PostgresPrerequisites.Require();
        var database = await fixture.CreateDatabaseAsync();
        await using var a = await Node.StartAsync(database);
        await using var b = await Node.StartAsync(database);
        var ids = Enumerable.Range(1, 10_000).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();

        await a.Signals.PublishAsync(new ClusterSignal(Topic, ids), TestContext.Current.CancellationToken);

        var received = new List<string>();
        for (var i = 0; received.Count < ids.Count; i++)
        {
            received.AddRange((await b.NextAsync(afterCount: i)).Split(','));
        }

        Assert.Equal(ids, received);
        Assert.InRange(b.Heard.Count, 2, 16);
    }

    [Fact]
    public async Task ANotificationThisNodeCannotReadIsTreatedAsEverythingChanged()
    {
        PostgresPrerequisites.Require();
        var database = await fixture.CreateDatabaseAsync();
        await using var a = await Node.StartAsync(database);
        await using (var stray = new NpgsqlConnection(database))
        {
            await stray.OpenAsync(TestContext.Current.CancellationToken);
            await using var notify = new NpgsqlCommand("SELECT pg_notify('orchestrator_signals', '3|1|someone|desired-state|7')", stray);
            await notify.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal("*", await a.NextAsync());
    }

    [Fact]
    public async Task ANodeStopsCountingAsCaughtUpWhileASettledSignalIsHeldOnItsWayAndCountsAgainOnceItHasIt()
    {
        PostgresPrerequisites.Require();
        var database = await fixture.CreateDatabaseAsync();
        await using var a = await Node.StartAsync(database);
        await using var b = await Node.StartAsync(database, o => o.NotificationLateAfter = Patience);
        await WaitForAsync(() => b.Signals.IsCaughtUp, "B to count as caught up");

        // B's first notification blocks its delivering thread, so A's second one waits behind it, as a slow network or
        // a busy node would hold it.
        using var held = new ManualResetEventSlim();
        using var holding = b.Signals.Subscribe("held-up", _ => held.Wait(Patience));
        await a.Signals.PublishAsync(new ClusterSignal("held-up", ["1"]), TestContext.Current.CancellationToken);
        var watch = Stopwatch.StartNew();
        await a.Signals.PublishAndSettleAsync(new ClusterSignal(Topic, ["7"]), TestContext.Current.CancellationToken);

        Assert.True(watch.Elapsed >= new PostgresSignalsOptions().AppliedEverywhereWithin, $"settled after {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.False(b.Signals.IsCaughtUp, "B counted as caught up while A's settled signal was still on its way to it");
        Assert.Empty(b.Heard);

        held.Set();
        await WaitForAsync(() => b.Signals.IsCaughtUp, "B to count as caught up again");
        Assert.Equal(["7"], b.Heard);
    }

    [Fact]
    public async Task ASignalNumberThatNeverArrivesEndsInEverythingChangedAndTheNodeIsCaughtUpAfter()
    {
        PostgresPrerequisites.Require();
        var database = await fixture.CreateDatabaseAsync();
        await using var a = await Node.StartAsync(database, o => o.NotificationLateAfter = TimeSpan.FromMilliseconds(300));

        // A sender that took its number and failed before its notification was sent.
        await using (var sender = new NpgsqlConnection(database))
        {
            await sender.OpenAsync(TestContext.Current.CancellationToken);
            await using var take = new NpgsqlCommand("SELECT nextval('orchestrator.signal_number')", sender);
            await take.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal("*", await a.NextAsync());
        await WaitForAsync(() => a.Signals.IsCaughtUp, "A to count as caught up after everything");

        // Once: the lost number is not waited for again at the next confirmations.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal(["*"], a.Heard);
    }

    [Fact]
    public async Task ANodeWhoseListenerIsDownIsNotCaughtUpUntilItListensAgain()
    {
        PostgresPrerequisites.Require();
        var database = await fixture.CreateDatabaseAsync();
        await using var a = await Node.StartAsync(database, o => (o.ReconnectDelay, o.MaxReconnectDelay) = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)));
        Assert.True(a.Signals.IsCaughtUp);

        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin);
            terminate.Parameters.AddWithValue("pid", a.Signals.ListenerProcessId!.Value);
            await terminate.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }

        await WaitForAsync(() => a.Signals.ListenerProcessId is null, "the listener to notice its connection is gone");
        Assert.False(a.Signals.IsCaughtUp);

        await WaitForAsync(() => a.Signals.Connections == 2, "the listener to listen again");
        Assert.True(a.Signals.IsCaughtUp);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Patience, $"waited {Patience.TotalSeconds} s for {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>One server node's bus, listening, with what its subscriber of <see cref="Topic"/> heard ("*" for everything).</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _heard = new();
        private readonly ConcurrentQueue<bool> _fromOtherNode = new();
        private readonly SemaphoreSlim _arrivals = new(0);
        private Task _listening = Task.CompletedTask;
        private IDisposable? _subscription;

        private Node(PostgresClusterSignals signals) => Signals = signals;

        public PostgresClusterSignals Signals { get; }

        public IReadOnlyList<string> Heard => [.. _heard];

        /// <summary>For each of <see cref="Heard"/>: whether the bus marked it as heard from another node.</summary>
        public IReadOnlyList<bool> FromOtherNode => [.. _fromOtherNode];

        /// <summary>Started and listening; the "everything" of its first connection is not recorded.</summary>
        public static async Task<Node> StartAsync(string connectionString, Action<PostgresSignalsOptions>? configure = null)
        {
            var options = new PostgresSignalsOptions();
            configure?.Invoke(options);
            var node = new Node(new PostgresClusterSignals(connectionString, options, NullLogger<PostgresClusterSignals>.Instance));
            node._listening = node.Signals.ListenAsync(node._stop.Token);
            await WaitForAsync(() => node.Signals.Connections == 1, "the listener");
            node._subscription = node.Signals.Subscribe(Topic, s =>
            {
                node._fromOtherNode.Enqueue(s.FromOtherNode);
                node._heard.Enqueue(s.IsEverything ? "*" : string.Join(',', s.Keys));
                node._arrivals.Release();
            });
            return node;
        }

        /// <summary>What the subscriber heard as signal number <paramref name="afterCount"/> + 1, waiting for it.</summary>
        public async Task<string> NextAsync(int afterCount = 0)
        {
            var watch = Stopwatch.StartNew();
            while (_heard.Count <= afterCount)
            {
                Assert.True(await _arrivals.WaitAsync(Patience - watch.Elapsed > TimeSpan.Zero ? Patience - watch.Elapsed : TimeSpan.Zero, TestContext.Current.CancellationToken), $"no signal number {afterCount + 1} within {Patience.TotalSeconds} s");
            }

            return Heard[afterCount];
        }

        public async ValueTask DisposeAsync()
        {
            _subscription?.Dispose();
            await _stop.CancelAsync();
            await _listening;
            await Signals.DisposeAsync();
            _stop.Dispose();
            _arrivals.Dispose();
        }
    }
}
