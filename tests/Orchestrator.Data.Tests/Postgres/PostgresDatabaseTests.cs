using Dapper;
using Npgsql;
using Orchestrator.Data.Postgres;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Postgres;

/// <summary>How <see cref="PostgresDatabase"/> opens connections, on a real cluster.</summary>
public sealed class PostgresDatabaseTests(PostgresClusterFixture cluster)
{
    private const string Statement = "SELECT count(*) FROM pg_class WHERE relname = @name";

    // The same statement as PostgreSQL lists it once Npgsql has turned the named parameter into a positional one.
    private const string AsPrepared = "SELECT count(*) FROM pg_class WHERE relname = $1";

    [Fact]
    public async Task AStatementRunRepeatedlyIsPreparedOnItsPooledConnection()
    {
        await using var database = new PostgresDatabase(await cluster.CreateDatabaseAsync(TestContext.Current.CancellationToken));

        await RunTenTimesAsync(database);

        Assert.Contains(AsPrepared, await PreparedAsync(database));
    }

    [Fact]
    public async Task AConnectionStringThatSwitchesPreparationOffIsObeyed()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await cluster.CreateDatabaseAsync(TestContext.Current.CancellationToken)) { MaxAutoPrepare = 0 };
        await using var database = new PostgresDatabase(connectionString.ConnectionString);

        await RunTenTimesAsync(database);

        Assert.DoesNotContain(AsPrepared, await PreparedAsync(database));
    }

    /// <summary>The statement on a pooled connection opened and closed each time (the pool keeps one connection).</summary>
    private static async Task RunTenTimesAsync(PostgresDatabase database)
    {
        for (var i = 0; i < 10; i++)
        {
            await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
            await connection.ExecuteScalarAsync<long>(Statement, new { name = "pg_class" });
        }
    }

    private static async Task<List<string>> PreparedAsync(PostgresDatabase database)
    {
        // One connection in the pool: the statements it prepared are the ones it shows.
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        return (await connection.QueryAsync<string>("SELECT statement FROM pg_prepared_statements")).ToList();
    }
}
