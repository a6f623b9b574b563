using Dapper;
using Npgsql;
using Orchestrator.Data.Postgres;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Postgres;

/// <summary>How <see cref="PostgresDatabase"/> opens connections, on a real cluster.</summary>
public sealed class PostgresDatabaseTests(PostgresClusterFixture cluster)
{
    private const string Statement = "SELECT count(*) FROM pg_class WHERE relname = @name";

    [Fact]
    public async Task AStatementRunRepeatedlyIsPreparedOnItsPooledConnection()
    {
        await using var database = new PostgresDatabase(await cluster.CreateDatabaseAsync(TestContext.Current.CancellationToken));

        for (var i = 0; i < 10; i++)
        {
            await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
            await connection.ExecuteScalarAsync<long>(Statement, new { name = "pg_class" });
        }

        Assert.Contains(Statement.Replace("@name", "$1", StringComparison.Ordinal), await PreparedAsync(database));
    }

    [Fact]
    public async Task AConnectionStringThatSwitchesPreparationOffIsObeyed()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await cluster.CreateDatabaseAsync(TestContext.Current.CancellationToken)) { MaxAutoPrepare = 0 };
        await using var database = new PostgresDatabase(connectionString.ConnectionString);

        for (var i = 0; i < 10; i++)
        {
            await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
            await connection.ExecuteScalarAsync<long>(Statement, new { name = "pg_class" });
        }

        Assert.DoesNotContain(Statement.Replace("@name", "$1", StringComparison.Ordinal), await PreparedAsync(database));
    }

    private static async Task<List<string>> PreparedAsync(PostgresDatabase database)
    {
        // One connection in the pool: the statements it prepared are the ones it shows.
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        return (await connection.QueryAsync<string>("SELECT statement FROM pg_prepared_statements")).ToList();
    }
}
