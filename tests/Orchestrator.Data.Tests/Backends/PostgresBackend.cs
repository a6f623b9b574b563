using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Postgres;

namespace Orchestrator.Data.Tests.Backends;

/// <summary>A database of its own in the assembly's PostgreSQL cluster, migrated by the product's migrator.</summary>
public sealed class PostgresBackend : StoreBackend
{
    private readonly string _connectionString;

    private PostgresBackend(string connectionString) => _connectionString = connectionString;

    public override string Name => "PostgreSQL";

    public static async Task<StoreBackend> CreateAsync(PostgresClusterFixture cluster)
    {
        var backend = new PostgresBackend(await cluster.CreateDatabaseAsync(TestContext.Current.CancellationToken));
        await backend.StartAsync(
            services => services.AddOrchestratorPostgres(backend._connectionString),
            provider => PostgresMigrator.MigrateAsync(provider.GetRequiredService<PostgresDatabase>(), backend.Time, TestContext.Current.CancellationToken));
        return backend;
    }

    // The product's own connection (search_path set to the product's schema), so that plain SQL names tables as SQLite does.
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await Store<PostgresDatabase>().OpenAsync(cancellationToken);
}
