using System.Diagnostics;
using System.Globalization;
using System.Net;
using Npgsql;
using Orchestrator.Testing.Server;

namespace Orchestrator.Testing.Postgres;

/// <summary>
/// One throwaway PostgreSQL cluster: a temporary data folder, a free loopback port (<see cref="RefusedPort"/>), trust
/// authentication for the <see cref="SuperUser"/>, durability switched off (a test cluster is thrown away; fsync only
/// costs time), and removed with everything in it on dispose. Start one per fixture and give each test its own database.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    public const string SuperUser = "orchestrator";

    private readonly string bin;
    private bool stopped;

    private PostgresCluster(string bin, string directory, int port)
    {
        this.bin = bin;
        DataDirectory = directory;
        Port = port;
    }

    /// <summary>The cluster's data folder (also its Unix socket folder and log, <c>server.log</c>).</summary>
    public string DataDirectory { get; }

    public int Port { get; }

    /// <summary>Connection string of <paramref name="database"/> on this cluster as <see cref="SuperUser"/>.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        Username = SuperUser,
        Database = database,
        Pooling = true,
    }.ConnectionString;

    /// <summary>
    /// Connection string of <paramref name="database"/> through the cluster's Unix socket (in <see cref="DataDirectory"/>)
    /// instead of loopback TCP. A socket file is not bound to a network namespace, so a process inside one (a server
    /// node of the end-to-end lab, whose namespace has no loopback path to this cluster) reaches it all the same; the
    /// folder is the service account's (0700), which root, the only user that can run the lab, may enter.
    /// </summary>
    public string SocketConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = DataDirectory,
        Port = Port,
        Username = SuperUser,
        Database = database,
        Pooling = true,
    }.ConnectionString;

    /// <summary>initdb + pg_ctl start; call <see cref="PostgresPrerequisites.Require"/> first.</summary>
    public static Task<PostgresCluster> StartAsync(CancellationToken cancellationToken = default) => StartAsync(200, cancellationToken);

    /// <summary>initdb + pg_ctl start; call <see cref="PostgresPrerequisites.Require"/> first.</summary>
    /// <param name="maxConnections">PostgreSQL's <c>max_connections</c>: 200 holds one test's nodes; the load harness's
    /// two busy nodes may each fill Npgsql's default pool of 100 plus Hangfire's and Quartz's connections.</param>
    public static async Task<PostgresCluster> StartAsync(int maxConnections, CancellationToken cancellationToken = default)
    {
        var bin = PostgresPrerequisites.BinDirectory ?? throw new InvalidOperationException(PostgresPrerequisites.MissingReason());
        var directory = Path.Combine(Path.GetTempPath(), "orchestrator-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        await OwnAsync(directory, cancellationToken);

        await RunAsync(bin, "initdb", ["-D", directory, "-A", "trust", "-U", SuperUser, "-E", "UTF8", "--locale=C", "--no-sync"], cancellationToken);

        // PostgreSQL cannot listen on port 0. A port below the ephemeral range is one no port-0 listener or outgoing
        // connection takes meanwhile; another cluster starting at the same moment could, so try again.
        for (var attempt = 1; ; attempt++)
        {
            var port = RefusedPort.Pick();
            var options = string.Join(' ',
                $"-p {port.ToString(CultureInfo.InvariantCulture)}", $"-k {directory}", "-c listen_addresses=127.0.0.1",
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", $"-c max_connections={maxConnections.ToString(CultureInfo.InvariantCulture)}");
            try
            {
                await RunAsync(bin, "pg_ctl", ["-D", directory, "-o", options, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "start"], cancellationToken);
                return new PostgresCluster(bin, directory, port);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException("Database names here are lower-case letters, digits and '_'.", nameof(name));
        }

        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once (like a crash: no checkpoint, nothing to keep) and removes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync(bin, "pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
        }
        finally
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>As root the folder belongs to the service account, which runs the binaries (initdb refuses root).</summary>
    private static async Task OwnAsync(string directory, CancellationToken cancellationToken)
    {
        if (Environment.IsPrivilegedProcess)
        {
            await ExecAsync("chown", [PostgresPrerequisites.ServiceUser, directory], cancellationToken);
        }
    }

    private static Task RunAsync(string bin, string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        Environment.IsPrivilegedProcess
            ? ExecAsync("runuser", ["-u", PostgresPrerequisites.ServiceUser, "--", Path.Combine(bin, program), .. arguments], cancellationToken)
            : ExecAsync(Path.Combine(bin, program), arguments, cancellationToken);

    private static async Task ExecAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The service account cannot read the test's working folder; start where everyone may.
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
