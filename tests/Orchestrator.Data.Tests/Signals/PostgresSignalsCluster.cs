using Orchestrator.Testing.Postgres;

namespace Orchestrator.Data.Tests.Signals;

/// <summary>One throwaway PostgreSQL cluster for the signal tests; each test creates its own database.</summary>
public sealed class PostgresSignalsCluster : IAsyncLifetime
{
    private static int _databases;

    public PostgresCluster? Cluster { get; private set; }

    public async ValueTask InitializeAsync()
    {
        // A machine without PostgreSQL: each test says so (Require skips, or fails with CI=true).
        if (PostgresPrerequisites.MissingReason() is null)
        {
            Cluster = await PostgresCluster.StartAsync();
        }
    }

    /// <summary>A fresh database's connection string (after <see cref="PostgresPrerequisites.Require"/>).</summary>
    public Task<string> CreateDatabaseAsync() =>
        Cluster!.CreateDatabaseAsync($"signals_{Interlocked.Increment(ref _databases)}", TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
