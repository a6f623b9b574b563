using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Data.Postgres;

namespace Orchestrator.Data.Tests.Backends;

/// <summary>
/// A database of its own in the assembly's PostgreSQL cluster, copied from a template the product's migrator migrated
/// once for the assembly, and migrated again at start (a no-op that still checks every script's checksum).
/// </summary>
public sealed class PostgresBackend : StoreBackend
{
    private readonly string _connectionString;

    private PostgresBackend(string connectionString) => _connectionString = connectionString;

    public override string Name => "PostgreSQL";

    public static async Task<StoreBackend> CreateAsync(PostgresClusterFixture cluster)
    {
        var connectionString = await cluster.CreateDatabaseFromTemplateAsync(
            "scenario",
            "scenario_template",
            async template =>
            {
                await using var database = new PostgresDatabase(template);
                await PostgresMigrator.MigrateAsync(database, new FakeTimeProvider(Start), CancellationToken.None);
            },
            TestContext.Current.CancellationToken);
        var backend = new PostgresBackend(connectionString);
        await backend.StartAsync(
            services => services.AddOrchestratorPostgres(backend._connectionString),
            provider => PostgresMigrator.MigrateAsync(provider.GetRequiredService<PostgresDatabase>(), backend.Time, TestContext.Current.CancellationToken));
        return backend;
    }

    // The product's own connection (search_path set to the product's schema), so that plain SQL names tables as SQLite does.
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await Store<PostgresDatabase>().OpenAsync(cancellationToken);
}
