using System.Globalization;
using Orchestrator.Testing.Postgres;

namespace Orchestrator.LoadHarness;

/// <summary>
/// Two-node mode's servers: a throwaway PostgreSQL cluster (initdb + pg_ctl as the postgres account, temp folder, free
/// port; see <see cref="PostgresCluster"/>), one database, and two server processes on it with their own data
/// folders, as two hosts run them: the same storage settings and one Quartz scheduler name (the cluster's identity),
/// otherwise the product's defaults. Node A starts first and migrates the empty database.
/// </summary>
internal sealed class PostgresNodes : IAsyncDisposable
{
    /// <summary>Two nodes under load may each fill Npgsql's default pool (100) plus Hangfire's and Quartz's connections.</summary>
    private const int MaxConnections = 400;

    private readonly PostgresCluster _cluster;

    private PostgresNodes(PostgresCluster cluster, string connectionString, ServerProcess a, ServerProcess b)
    {
        _cluster = cluster;
        ConnectionString = connectionString;
        A = a;
        B = b;
    }

    public string ConnectionString { get; }

    public ServerProcess A { get; }

    public ServerProcess B { get; }

    public string ClusterDirectory => _cluster.DataDirectory;

    /// <summary>
    /// CPU seconds PostgreSQL has used so far: the postmaster, its live processes (one per connection, plus the
    /// checkpointer, autovacuum...) and those already gone (counted in the postmaster's children's time). Linux only;
    /// null where the cluster's folder cannot be read (it belongs to the postgres account).
    /// </summary>
    public double? CpuSeconds()
    {
        int postmaster;
        try
        {
            postmaster = int.Parse(File.ReadLines(Path.Combine(_cluster.DataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        var seconds = ProcStat.Of(postmaster) is { } main ? main.OwnSeconds + main.ReapedChildrenSeconds : 0;
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(process), out var pid) && ProcStat.Of(pid) is { } stat && stat.ParentPid == postmaster)
            {
                seconds += stat.OwnSeconds;
            }
        }

        return seconds;
    }

    public static async Task<PostgresNodes> StartAsync(string serverDll, string dataDirectory, string adminKey, CancellationToken cancellationToken)
    {
        if (PostgresPrerequisites.MissingReason() is { } missing)
        {
            throw new InvalidOperationException($"--nodes 2 needs PostgreSQL: {missing}");
        }

        var cluster = await PostgresCluster.StartAsync(MaxConnections, cancellationToken);
        var started = new List<ServerProcess>();
        try
        {
            var connectionString = await cluster.CreateDatabaseAsync("load_harness", cancellationToken);
            // LOAD_POSTGRES_OPTIONS="Max Auto Prepare=0" (for example) adds Npgsql options to the nodes' connection string.
            if (Environment.GetEnvironmentVariable("LOAD_POSTGRES_OPTIONS") is { Length: > 0 } options)
            {
                connectionString += ";" + options;
            }

            var settings = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Orchestrator__Storage"] = "postgres",
                ["Orchestrator__PostgresConnectionString"] = connectionString,
                ["Orchestrator__SchedulerName"] = "load-" + Guid.NewGuid().ToString("N")[..8],
            };
            foreach (var node in new[] { "a", "b" })
            {
                var folder = Directory.CreateDirectory(Path.Combine(dataDirectory, "node-" + node)).FullName;
                started.Add(await ServerProcess.StartAsync(serverDll, folder, adminKey, settings, cancellationToken));
            }

            return new PostgresNodes(cluster, connectionString, started[0], started[1]);
        }
        catch
        {
            foreach (var server in started)
            {
                await server.DisposeAsync();
            }

            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await _cluster.DisposeAsync();
    }
}
