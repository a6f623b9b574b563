namespace Orchestrator.Testing.Postgres;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test assembly, started by the first test that asks for a database
/// (a run of SQLite tests alone never starts it), stopped and removed when the assembly is done. Each scenario gets a
/// database of its own in it: CREATE DATABASE from the template costs milliseconds, a cluster seconds. A test project
/// registers it once with <c>[assembly: AssemblyFixture(typeof(PostgresClusterFixture))]</c> and takes it as a
/// constructor parameter.
/// </summary>
public sealed class PostgresClusterFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgresCluster? _cluster;
    private int _databases;

    /// <summary>A new empty database's connection string; skips (locally) or fails (CI=true) without PostgreSQL.</summary>
    public Task<string> CreateDatabaseAsync(CancellationToken cancellationToken) => CreateDatabaseAsync("scenario", cancellationToken);

    /// <inheritdoc cref="CreateDatabaseAsync(CancellationToken)"/>
    /// <param name="prefix">Lower-case letters, digits and '_': names the database after what uses it.</param>
    /// <param name="cancellationToken">Cancels the wait for the cluster and the creation.</param>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken)
    {
        PostgresPrerequisites.Require();
        var cluster = await ClusterAsync(cancellationToken);
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}";
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
