using System.Globalization;
using Hangfire;
using Hangfire.Storage.SQLite;
using Orchestrator.Data.Migrations;
using Orchestrator.Data.Sqlite;
using Orchestrator.Server.Health;
using Quartz;

namespace Orchestrator.Server.Hosting.Storage;

/// <summary>The embedded default: orchestrator.db, quartz.db and hangfire.db in the data folder; one node.</summary>
internal sealed class SqliteStorage(OrchestratorOptions settings) : IStorageBackend
{
    public string Description => $"Database {Path.GetFullPath(settings.DatabasePath)}";

    public IReadOnlyList<string> DataFiles => [settings.DatabasePath, settings.QuartzPath, settings.HangfirePath];

    public Task<string?> FindStartupProblemAsync(CancellationToken cancellationToken) => Task.FromResult(StoreFiles.FindUnreadable(settings));

    public void AddStores(IServiceCollection services)
    {
        UseWriteAheadLog(settings.QuartzPath);
        services.AddOrchestratorSqlite(settings.DatabasePath, settings.DatabaseBusyTimeout);
    }

    public void UseForQuartz(IPersistentStoreBuilder store)
    {
        // Default Timeout: a locked quartz.db fails a scheduling call after the same bound as orchestrator.db.
        store.UseSqlite(string.Create(CultureInfo.InvariantCulture,
            $"Data Source={Path.GetFullPath(settings.QuartzPath)};Default Timeout={Math.Max(1, (int)Math.Ceiling(settings.DatabaseBusyTimeout.TotalSeconds))}"));
    }

    public JobStorage CreateJobStorage() =>
        new SQLiteStorage(Path.GetFullPath(settings.HangfirePath), new SQLiteStorageOptions { QueuePollInterval = settings.JobPollInterval });

    /// <summary>Hangfire's SQLite storage hands a job of a killed process out again only after 30 minutes.</summary>
    public bool ReturnsInterruptedJobs => false;

    /// <summary>SQLite holds the data of one server (several nodes share PostgreSQL): there is no other node to wait for.</summary>
    public Task RunRecoveryAloneAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        work(cancellationToken);

    public async Task<IReadOnlyList<string>> MigrateAsync(IServiceProvider services, string? scripts, CancellationToken cancellationToken)
    {
        var database = services.GetRequiredService<SqliteDatabase>();
        var chosen = scripts is { Length: > 0 } folder ? MigrationScript.FromDirectory(folder) : MigrationScript.Embedded(typeof(SqliteMigrator).Assembly);
        try
        {
            return await SqliteMigrator.MigrateAsync(database, services.GetRequiredService<TimeProvider>(), chosen, cancellationToken);
        }
        catch (Exception e) when (e is MigrationException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new StoreStartupException($"Database {database.Path}: {e.Message} The server did not start.", e);
        }
    }

    public async Task<(bool Ok, string Detail)> ProbeDatabaseAsync(IServiceProvider services, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var database = services.GetRequiredService<SqliteDatabase>();
        if (await StoreFiles.ProbeAsync(database.Path, timeout, cancellationToken) is (false, var problem))
        {
            return (false, problem);
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT max(version) FROM schema_version";
        return (true, $"schema {await command.ExecuteScalarAsync(cancellationToken)}");
    }

    public Task<(bool Ok, string Detail)> ProbeSchedulerStoreAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        StoreFiles.ProbeAsync(Path.GetFullPath(settings.QuartzPath), timeout, cancellationToken);

    public Task<(bool Ok, string Detail)> ProbeJobStoreAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        StoreFiles.ProbeAsync(Path.GetFullPath(settings.HangfirePath), timeout, cancellationToken);

    /// <summary>
    /// Quartz leaves its SQLite file in the rollback-journal mode, where a write blocks every read and each commit
    /// syncs twice; runs starting together then queue on it. WAL is a property of the file: set once, kept.
    /// </summary>
    private static void UseWriteAheadLog(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.GetFullPath(path)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        command.ExecuteNonQuery();
    }
}
