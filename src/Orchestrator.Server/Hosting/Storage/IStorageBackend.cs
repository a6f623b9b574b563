using Hangfire;
using Orchestrator.Data.Migrations;
using Quartz;

namespace Orchestrator.Server.Hosting.Storage;

/// <summary>
/// Everything the host needs from where the data lives — the stores, Quartz's job store, Hangfire's storage, the
/// start-up checks and migrations, and the health probes — chosen once from <see cref="OrchestratorOptions.Storage"/>
/// (<see cref="StorageBackends.For"/>), so that no other server code asks which database it runs on.
/// </summary>
internal interface IStorageBackend
{
    /// <summary>Where the data is, for logs and messages (never a password).</summary>
    string Description { get; }

    /// <summary>The database files the data folder holds (created private before anything opens them); none for a
    /// database server.</summary>
    IReadOnlyList<string> DataFiles { get; }

    /// <summary>Null when the store can be opened; otherwise one line naming the setting or file and what is wrong
    /// (the server prints it and exits with 2 before Quartz or Hangfire fail on it without a name).</summary>
    Task<string?> FindStartupProblemAsync(CancellationToken cancellationToken);

    /// <summary>Registers the product's stores (Orchestrator.Data interfaces).</summary>
    void AddStores(IServiceCollection services);

    /// <summary>Points Quartz's persistent job store at this backend.</summary>
    void UseForQuartz(IPersistentStoreBuilder store);

    /// <summary>Hangfire's storage on this backend (called once the host's Hangfire configuration is in place).</summary>
    JobStorage CreateJobStorage();

    /// <summary>True when the job storage itself hands a job cut short by a dead process to another worker soon (a
    /// sliding invisibility timeout); false when the host must requeue such jobs at start-up. With several nodes a
    /// start-up requeue would hand a job still running on a live node to a second one.</summary>
    bool ReturnsInterruptedJobs { get; }

    /// <summary>Runs <paramref name="work"/> while no other node of the installation runs start-up recovery: a
    /// cluster-wide lock on a shared database (two nodes starting together would both find a job missing and both queue
    /// one), nothing more on SQLite's one process.</summary>
    Task RunRecoveryAloneAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken);

    /// <summary>Brings the schema up to date; a database error or a refused script (<see cref="MigrationException"/>)
    /// becomes a <see cref="Health.StoreStartupException"/> naming the database.</summary>
    /// <param name="scripts">Scripts to apply instead of the built-in ones (testing and support); null: built-in.</param>
    Task<IReadOnlyList<string>> MigrateAsync(IServiceProvider services, string? scripts, CancellationToken cancellationToken);

    /// <summary>The product database: readable, writable, and its schema version.</summary>
    Task<(bool Ok, string Detail)> ProbeDatabaseAsync(IServiceProvider services, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Quartz's and Hangfire's own storage, below what their APIs report.</summary>
    Task<(bool Ok, string Detail)> ProbeSchedulerStoreAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <inheritdoc cref="ProbeSchedulerStoreAsync"/>
    Task<(bool Ok, string Detail)> ProbeJobStoreAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
