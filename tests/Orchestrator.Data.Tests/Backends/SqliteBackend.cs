using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Sqlite;

namespace Orchestrator.Data.Tests.Backends;

/// <summary>A real orchestrator.db in a fresh temp folder, migrated by the product's migrator, removed afterwards.</summary>
public sealed class SqliteBackend : StoreBackend
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchestrator-data-tests", Guid.NewGuid().ToString("N"));

    private SqliteBackend()
    {
    }

    public override string Name => "SQLite";

    public static async Task<StoreBackend> CreateAsync()
    {
        var backend = new SqliteBackend();
        await backend.StartAsync(
            services => services.AddOrchestratorSqlite(Path.Combine(backend._folder, "orchestrator.db")),
            provider => SqliteMigrator.MigrateAsync(provider.GetRequiredService<SqliteDatabase>(), backend.Time, TestContext.Current.CancellationToken));
        return backend;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A handle still open in another test's pool; the OS cleans the temp folder.
        }
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await Store<SqliteDatabase>().OpenAsync(cancellationToken);
}
