using Dapper;
using Orchestrator.Data.Sqlite;

namespace Orchestrator.Data.Tests.Sqlite;

public sealed class MigratorTests
{
    [Fact]
    public async Task MigrationsApplyOnceAndAreRecordedInSchemaVersion()
    {
        await using var db = await TempDatabase.CreateAsync(migrate: false);

        var first = await Migrator.MigrateAsync(db.Database, db.Time, TestContext.Current.CancellationToken);
        db.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await Migrator.MigrateAsync(db.Database, db.Time, TestContext.Current.CancellationToken);

        Assert.Equal(["0001_initial"], first);
        Assert.Empty(second);
        await using var connection = await db.Database.OpenAsync(TestContext.Current.CancellationToken);
        var versions = (await connection.QueryAsync<(string Version, long AppliedAt)>("SELECT version, applied_at FROM schema_version")).ToList();
        Assert.Equal([("0001_initial", TempDatabase.Start.ToUnixTimeMilliseconds())], versions);
    }

    [Fact]
    public async Task MigrationCreatesEveryProductTable()
    {
        await using var db = await TempDatabase.CreateAsync();

        await using var connection = await db.Database.OpenAsync(TestContext.Current.CancellationToken);
        var tables = await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");

        Assert.Equal(["audit_log", "endpoints", "groups", "run_members", "runs", "schema_version", "window_groups", "windows"], tables);
    }

    [Fact]
    public async Task TheDatabaseIsInWalModeForEveryLaterConnection()
    {
        await using var db = await TempDatabase.CreateAsync();

        await using var connection = await db.Database.OpenAsync(TestContext.Current.CancellationToken);

        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.True(File.Exists(db.Database.Path + "-wal") || File.Exists(db.Database.Path), "the file lives in the temp folder");
    }
}
