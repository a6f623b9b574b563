using System.Data.Common;
using Npgsql;

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
            _ => { },
            _ => throw new InvalidOperationException("The PostgreSQL stores are not merged into this branch yet."));
        return backend;
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
