using Hangfire;
using Hangfire.PostgreSql;
using Npgsql;
using Orchestrator.Data.Migrations;
using Orchestrator.Data.Postgres;
using Orchestrator.Data.Postgres.Signals;
using Orchestrator.Server.Health;
using Quartz;

namespace Orchestrator.Server.Hosting.Storage;

/// <summary>
/// One PostgreSQL database shared by every node: the product's tables (db/postgres/), Quartz's clustered job store in
/// the schema "quartz" and Hangfire's in "hangfire". Quartz's cluster lock makes each trigger fire on one node, and a
/// node that stops checking in has its triggers taken over by the others; Hangfire hands each job to one worker of
/// any node. Neither is trusted to make a window's run once: the run row's uniqueness is that guard, as on SQLite.
/// </summary>
internal sealed class PostgresStorage(OrchestratorOptions settings) : IStorageBackend
{
    public const string QuartzSchema = "quartz";
    public const string HangfireSchema = "hangfire";

    // Any number; it only has to be the same on every node. Taken while the schemas are created so that two nodes
    // starting together do not race on CREATE SCHEMA (which is not safe to run concurrently even with IF NOT EXISTS).
    private const long SchemaLock = 0x4f52_4348_5343_4845;

    // Held (for the session) while a node's start-up recovery looks for missing jobs and queues them.
    private const long RecoveryLock = 0x4f52_4348_5245_4356;

    private readonly string _connectionString = settings.PostgresConnectionString ?? throw new InvalidOperationException("Storage=postgres without a connection string passed validation");

    public string Description => StorageSettings.Describe(_connectionString);

    public IReadOnlyList<string> DataFiles => [];

    public async Task<string?> FindStartupProblemAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(WithName("orchestrator-start"));
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return $"Invalid setting {OrchestratorOptions.Section}:{nameof(OrchestratorOptions.PostgresConnectionString)}: cannot reach the {Description}: {e.Message} " +
                "The server did not start. Check the host, port, database name, user and password, and that the database server runs.";
        }
    }

    public void AddStores(IServiceCollection services) =>
        services.AddOrchestratorPostgres(WithName("orchestrator")).AddOrchestratorPostgresCluster(_connectionString);

    public void UseForQuartz(IPersistentStoreBuilder store)
    {
        store.UsePostgres(o => o.ConnectionString = WithName("orchestrator-quartz"));
        store.ConfigureStore(o => o.TablePrefix = $"{QuartzSchema}.qrtz_");
        store.UseClustering(c =>
        {
            c.CheckinInterval = settings.ClusterCheckinInterval;
            c.CheckinMisfireThreshold = settings.ClusterCheckinMisfireThreshold;
        });
    }

    public JobStorage CreateJobStorage()
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = HangfireSchema,
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = settings.JobPollInterval,
            // LISTEN/NOTIFY: a job enqueued on one node is fetched at once by an idle worker of any node, instead of
            // at the next poll.
            EnableLongPolling = true,
            // A job fetched by a node that died is handed out again after this; the running jobs of live nodes keep
            // theirs by refreshing it (sliding), so a long scan dispatch is not handed out twice.
            InvisibilityTimeout = settings.JobInvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
        };
        return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(WithName("orchestrator-hangfire"), options), options);
    }

    /// <summary>Within <see cref="OrchestratorOptions.JobInvisibilityTimeout"/> (sliding: live nodes keep theirs).</summary>
    public bool ReturnsInterruptedJobs => true;

    public async Task RunRecoveryAloneAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        // A session lock on a connection of its own: the work uses its own connections (Hangfire's, the stores'), and a
        // node that dies while holding it loses the session and with it the lock.
        await using var connection = new NpgsqlConnection(WithName("orchestrator-start"));
        await connection.OpenAsync(cancellationToken);
        await SessionLocks.WhileHeldAsync(
            connection,
            RecoveryLock,
            async () =>
            {
                await work(cancellationToken);
                return true;
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<string>> MigrateAsync(IServiceProvider services, string? scripts, CancellationToken cancellationToken)
    {
        var database = services.GetRequiredService<PostgresDatabase>();
        var chosen = scripts is { Length: > 0 } folder ? MigrationScript.FromDirectory(folder) : MigrationScript.Embedded(typeof(PostgresMigrator).Assembly);
        try
        {
            var applied = await PostgresMigrator.MigrateAsync(database, services.GetRequiredService<TimeProvider>(), chosen, cancellationToken);
            await CreateSchedulerSchemasAsync(cancellationToken);
            return applied;
        }
        catch (Exception e) when (e is MigrationException or NpgsqlException or TimeoutException)
        {
            throw new StoreStartupException($"{Description}: {e.Message} The server did not start.", e);
        }
    }

    public async Task<(bool Ok, string Detail)> ProbeDatabaseAsync(IServiceProvider services, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var version = await ScalarAsync($"SELECT max(version) FROM {PostgresDatabase.Schema}.schema_version", timeout, cancellationToken);
        return (true, $"schema {version}");
    }

    public async Task<(bool Ok, string Detail)> ProbeSchedulerStoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var nodes = await ScalarAsync($"SELECT count(*) FROM {QuartzSchema}.qrtz_scheduler_state", timeout, cancellationToken);
        return (true, $"{nodes} node(s) checked in");
    }

    public async Task<(bool Ok, string Detail)> ProbeJobStoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await ScalarAsync($"SELECT count(*) FROM {HangfireSchema}.server", timeout, cancellationToken);
        return (true, "reachable");
    }

    /// <summary>Quartz creates its tables (ProvisionSchema) and Hangfire its schema, but Quartz's tables need their
    /// schema to exist first.</summary>
    private async Task CreateSchedulerSchemasAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(WithName("orchestrator-start"));
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT pg_advisory_xact_lock({SchemaLock}); CREATE SCHEMA IF NOT EXISTS {QuartzSchema}; CREATE SCHEMA IF NOT EXISTS {HangfireSchema}",
            connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<object?> ScalarAsync(string sql, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        await using var connection = new NpgsqlConnection(WithName("orchestrator-health"));
        await connection.OpenAsync(bounded.Token);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(bounded.Token);
    }

    /// <summary>Each part's connections carry its own application name (pg_stat_activity tells them apart) and so
    /// get a pool of their own: Hangfire's workers cannot starve the stores of connections.</summary>
    private string WithName(string applicationName) =>
        new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = applicationName }.ConnectionString;
}
