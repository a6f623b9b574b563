using System.Net.Sockets;
using Npgsql;
using Orchestrator.Testing.Postgres;

namespace Orchestrator.Data.Tests.Postgres;

/// <summary>
/// The throwaway cluster the PostgreSQL tests stand on: it starts from the Debian package on a free loopback port,
/// carries LISTEN/NOTIFY between connections (the cross-node wake-up rides on it), and leaves nothing behind.
/// </summary>
public sealed class PostgresClusterTests
{
    [Fact]
    public async Task AClusterStartsOnAFreePortServesADatabaseAndIsGoneAfterDispose()
    {
        PostgresPrerequisites.Require();
        var cluster = await PostgresCluster.StartAsync(TestContext.Current.CancellationToken);
        string directory;
        int port;
        await using (cluster)
        {
            (directory, port) = (cluster.DataDirectory, cluster.Port);
            Assert.Contains($"Port={port}", cluster.ConnectionString(), StringComparison.Ordinal);

            var connectionString = await cluster.CreateDatabaseAsync("orchestrator_cluster_test", TestContext.Current.CancellationToken);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var query = new NpgsqlCommand("SELECT current_database() || ' ' || current_user", connection);

            Assert.Equal("orchestrator_cluster_test orchestrator", await query.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }

        Assert.False(Directory.Exists(directory));
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken).AsTask());
    }

    [Fact]
    public async Task ANotificationReachesAListenerOnAnotherConnection()
    {
        PostgresPrerequisites.Require();
        await using var cluster = await PostgresCluster.StartAsync(TestContext.Current.CancellationToken);
        await using var listener = new NpgsqlConnection(cluster.ConnectionString());
        await using var sender = new NpgsqlConnection(cluster.ConnectionString());
        await listener.OpenAsync(TestContext.Current.CancellationToken);
        await sender.OpenAsync(TestContext.Current.CancellationToken);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Notification += (_, e) => received.TrySetResult(e.Channel + ":" + e.Payload);
        await using (var listen = new NpgsqlCommand("LISTEN orchestrator_test", listener))
        {
            await listen.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using (var notify = new NpgsqlCommand("SELECT pg_notify('orchestrator_test', 'endpoint 17')", sender))
        {
            await notify.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        // Npgsql hands out notifications while a command runs or WaitAsync reads the connection.
        var reading = listener.WaitAsync(timeout.Token);
        Assert.Equal("orchestrator_test:endpoint 17", await received.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        // The handler runs inside WaitAsync: let it return before the connection is disposed, or disposal finds the
        // connector still 'Waiting'.
        await reading;
    }
}
