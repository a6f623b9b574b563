using Dapper;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Data.Migrations;
using Orchestrator.Data.Postgres;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Postgres;

/// <summary>
/// db/postgres/ applied by <see cref="PostgresMigrator"/> on a real cluster: once, whatever the number of nodes
/// starting together, under the same rules as SQLite, into a schema whose tables and columns are SQLite's.
/// </summary>
public sealed class PostgresMigratorTests(PostgresClusterFixture cluster)
{
    private static readonly DateTimeOffset Start = new(2027, 3, 9, 21, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task MigratingTwiceAppliesEveryScriptOnceAndRecordsItInTheSchemaVersionTable()
    {
        await using var database = new PostgresDatabase(await cluster.CreateDatabaseAsync(TestContext.Current.CancellationToken));
        var time = new FakeTimeProvider(Start);

        var first = await PostgresMigrator.MigrateAsync(database, time, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(1));
        var second = await PostgresMigrator.MigrateAsync(database, time, TestContext.Current.CancellationToken);

        var scripts = MigrationScript.Embedded(typeof(PostgresMigrator).Assembly);
        Assert.Equal(scripts.Select(s => s.Version), first);
        Assert.Empty(second);
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        var versions = (await connection.QueryAsync<(string Version, long AppliedAt, string Checksum)>(
            "SELECT version, applied_at, checksum FROM orchestrator.schema_version ORDER BY version")).ToList();
        Assert.Equal(scripts.Select(s => (s.Version, Start.ToUnixTimeMilliseconds(), s.Checksum)), versions);
    }

    [Fact]
    public async Task TwoNodesMigratingAtOnceApplyEachScriptOnce()
    {
        var connectionString = await cluster.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await using var nodeA = new PostgresDatabase(connectionString);
        await using var nodeB = new PostgresDatabase(connectionString);
        // A slow first script keeps the first migrator inside it while the second one starts: without the lock both
        // would find nothing applied and run it, and one of them would fail on the table the other created.
        IReadOnlyList<MigrationScript> scripts =
        [
            MigrationScript.From("0001_slow.sql", "SELECT pg_sleep(0.5); CREATE TABLE slow (id bigint PRIMARY KEY);"),
            MigrationScript.From("0002_next.sql", "CREATE TABLE next (id bigint PRIMARY KEY);"),
        ];
        var time = new FakeTimeProvider(Start);

        var results = await Task.WhenAll(
            PostgresMigrator.MigrateAsync(nodeA, time, scripts, TestContext.Current.CancellationToken),
            PostgresMigrator.MigrateAsync(nodeB, time, scripts, TestContext.Current.CancellationToken));

        Assert.Equal(["0001_slow", "0002_next"], results.SelectMany(r => r).Order(StringComparer.Ordinal));
        Assert.Contains(results, r => r.Count == 0);
        await using var connection = await nodeA.OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public async Task AnEditedAppliedScriptIsRefusedNamingThePostgresFolder()
    {
        await using var database = new PostgresDatabase(await cluster.CreateDatabaseAsync(TestContext.Current.CancellationToken));
        var time = new FakeTimeProvider(Start);
        await PostgresMigrator.MigrateAsync(database, time, [MigrationScript.From("0001_one.sql", "CREATE TABLE one (id bigint);")], TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<MigrationException>(() => PostgresMigrator.MigrateAsync(
            database, time, [MigrationScript.From("0001_one.sql", "CREATE TABLE one (id bigint, name text);")], TestContext.Current.CancellationToken));

        Assert.Contains("db/postgres/0001_one.sql was edited after it was applied", error.Message, StringComparison.Ordinal);
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'orchestrator' AND table_name = 'one'"));
    }

    /// <summary>Moving an installation is a column-by-column copy: every SQLite table exists here with the same columns in the same order.</summary>
    [Fact]
    public async Task EveryTableAndColumnOfTheSqliteSchemaExistsInTheSameOrder()
    {
        await using var database = new PostgresDatabase(await cluster.CreateDatabaseAsync(TestContext.Current.CancellationToken));
        await PostgresMigrator.MigrateAsync(database, new FakeTimeProvider(Start), TestContext.Current.CancellationToken);
        await using var sqlite = await TempDatabase.CreateAsync();

        await using var sqliteConnection = await sqlite.Database.OpenAsync(TestContext.Current.CancellationToken);
        var sqliteTables = (await sqliteConnection.QueryAsync<(string Table, string Columns)>(
            """
            SELECT m.name, (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info(m.name) ORDER BY cid))
            FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name
            """)).ToList();
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        var postgresTables = (await connection.QueryAsync<(string Table, string Columns)>(
            """
            SELECT table_name, string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
            WHERE table_schema = 'orchestrator' GROUP BY table_name ORDER BY table_name COLLATE "C"
            """)).ToList();

        Assert.Equal(sqliteTables, postgresTables);
    }
}
