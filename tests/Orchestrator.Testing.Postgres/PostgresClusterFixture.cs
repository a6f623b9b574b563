using Npgsql;

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
    private readonly Dictionary<string, Task<string>> _templates = [];
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

    /// <summary>
    /// A new database copied from a template that <paramref name="prepare"/> fills once per assembly (given the template's
    /// connection string): migrating every test's database from scratch costs seconds under load, copying one costs
    /// milliseconds. <paramref name="prepare"/> must close its connections (a template in use cannot be copied).
    /// </summary>
    public async Task<string> CreateDatabaseFromTemplateAsync(
        string prefix, string template, Func<string, Task> prepare, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepare);
        PostgresPrerequisites.Require();
        var cluster = await ClusterAsync(cancellationToken);
        Task<string> prepared;
        lock (_templates)
        {
            if (!_templates.TryGetValue(template, out prepared!))
            {
                prepared = _templates[template] = PrepareAsync();
            }
        }

        await prepared.WaitAsync(cancellationToken);
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(cluster.ConnectionString());
        await connection.OpenAsync(cancellationToken);
        // STRATEGY FILE_COPY: copies the template's files without writing them to the WAL (WAL_LOG, the default, does).
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return cluster.ConnectionString(name);

        async Task<string> PrepareAsync()
        {
            var connectionString = await cluster.CreateDatabaseAsync(template, CancellationToken.None);
            await prepare(connectionString);
            NpgsqlConnection.ClearAllPools();
            return connectionString;
        }
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
