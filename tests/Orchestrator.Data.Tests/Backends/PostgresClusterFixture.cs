using System.Threading;
using Orchestrator.Testing.Postgres;

[assembly: AssemblyFixture(typeof(Orchestrator.Data.Tests.Backends.PostgresClusterFixture))]

namespace Orchestrator.Data.Tests.Backends;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test assembly, started by the first test that asks for a database
/// (a run of SQLite tests alone never starts it), stopped and removed when the assembly is done. Each scenario gets a
/// database of its own in it: CREATE DATABASE from the template costs milliseconds, a cluster seconds.
/// </summary>
public sealed class PostgresClusterFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgresCluster? _cluster;
    private int _databases;

    /// <summary>A new empty database's connection string; skips (locally) or fails (CI=true) without PostgreSQL.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        PostgresPrerequisites.Require();
        var cluster = await ClusterAsync(cancellationToken);
        var name = $"scenario_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        return await cluster.CreateDatabaseAsync(name, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _gate.Dispose();
    }

    private async Task<PostgresCluster> ClusterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Not cancelled with the first test: the cluster outlives it and serves every other one.
            return _cluster ??= await PostgresCluster.StartAsync(CancellationToken.None);
        }
        finally
        {
            _gate.Release();
        }
    }
}
