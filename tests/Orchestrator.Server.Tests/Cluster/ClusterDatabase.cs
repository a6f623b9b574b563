using Orchestrator.Testing.Postgres;

namespace Orchestrator.Server.Tests.Cluster;

/// <summary>One throwaway PostgreSQL cluster for the two-node tests; each test takes a database of its own.</summary>
public sealed class ClusterDatabase : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    public async ValueTask InitializeAsync()
    {
        if (PostgresPrerequisites.MissingReason() is null)
        {
            _cluster = await PostgresCluster.StartAsync();
        }
    }

    /// <summary>A new empty database's connection string (skips, or fails with CI=true, when PostgreSQL is missing).</summary>
    public async Task<string> CreateAsync(string prefix)
    {
        PostgresPrerequisites.Require();
        return await _cluster!.CreateDatabaseAsync($"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
