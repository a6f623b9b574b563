using Orchestrator.Data.Postgres;
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

    /// <summary>A fresh database with the product's schema (the signals number their notifications with its
    /// sequence): its connection string (after <see cref="PostgresPrerequisites.Require"/>).</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var connectionString = await Cluster!.CreateDatabaseAsync($"signals_{Interlocked.Increment(ref _databases)}", TestContext.Current.CancellationToken);
        await using var database = new PostgresDatabase(connectionString);
        await PostgresMigrator.MigrateAsync(database, TimeProvider.System, TestContext.Current.CancellationToken);
        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
