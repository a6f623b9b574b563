using Dapper;
using Orchestrator.Data.Sqlite;

namespace Orchestrator.Data.Tests.Sqlite;

public sealed class MigratorTests
{
    [Fact]
    public async Task MigrationsApplyOnceAndAreRecordedInSchemaVersion()
    {
        await using var db = await TempDatabase.CreateAsync(migrate: false);

        var first = await SqliteMigrator.MigrateAsync(db.Database, db.Time, TestContext.Current.CancellationToken);
        db.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await SqliteMigrator.MigrateAsync(db.Database, db.Time, TestContext.Current.CancellationToken);

        var scripts = ScriptsInDbFolder();
        Assert.Equal(scripts, first);
        Assert.Empty(second);
        await using var connection = await db.Database.OpenAsync(TestContext.Current.CancellationToken);
        var versions = (await connection.QueryAsync<(string Version, long AppliedAt)>("SELECT version, applied_at FROM schema_version ORDER BY version")).ToList();
        Assert.Equal(scripts.Select(s => (s, TempDatabase.Start.ToUnixTimeMilliseconds())), versions);
    }

    [Fact]
    public async Task MigrationCreatesEveryProductTable()
    {
        await using var db = await TempDatabase.CreateAsync();

        await using var connection = await db.Database.OpenAsync(TestContext.Current.CancellationToken);
        var tables = await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");

        Assert.Superset(
            new HashSet<string>(["audit_log", "endpoints", "groups", "run_members", "runs", "schema_version", "window_groups", "windows",
                "enrollment_tokens", "agents", "endpoint_addresses", "agent_reports", "peer_traffic", "blocked_attempts", "scans", "api_keys"]),
            tables.ToHashSet());
    }

    /// <summary>The migrations in db/, in the order they apply, found from the test's folder upwards.</summary>
    private static List<string> ScriptsInDbFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
        {
            dir = dir.Parent;
        }

        return Directory.GetFiles(Path.Combine(dir!.FullName, "db", "sqlite"), "*.sql")
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToList();
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
