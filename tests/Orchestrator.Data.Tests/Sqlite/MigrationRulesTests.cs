using Dapper;
using Orchestrator.Data.Migrations;
using Orchestrator.Data.Sqlite;

namespace Orchestrator.Data.Tests.Sqlite;

/// <summary>
/// Regression: the migrator applied any script it had not seen, in name order, so a renamed script ran twice and a
/// late low number applied silently. Each case runs against a real SQLite file and a temporary copy of db/.
/// </summary>
public sealed class MigrationRulesTests : IAsyncLifetime
{
    /// <summary>The highest number in db/ today: new scripts in these tests are numbered relative to it, so that the
    /// tests keep meaning the same thing as migrations are added.</summary>
    private static readonly int Highest = MigrationScript.FromDirectory(DbFolder.Path).Max(s => int.Parse(s.Version[..4], System.Globalization.CultureInfo.InvariantCulture));

    private readonly string _scripts = Directory.CreateTempSubdirectory("orchestrator-migrations-").FullName;
    private TempDatabase _db = null!;

    public async ValueTask InitializeAsync()
    {
        foreach (var file in Directory.GetFiles(DbFolder.Path, "*.sql"))
        {
            File.Copy(file, Path.Combine(_scripts, Path.GetFileName(file)));
        }

        _db = await TempDatabase.CreateAsync(migrate: false);
        await MigrateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        Directory.Delete(_scripts, recursive: true);
    }

    [Fact]
    public async Task EveryAppliedScriptIsRecordedWithItsSha256()
    {
        await using var connection = await _db.Database.OpenAsync(TestContext.Current.CancellationToken);
        var rows = (await connection.QueryAsync<(string Version, string Checksum)>("SELECT version, checksum FROM schema_version ORDER BY version")).ToList();

        Assert.Equal(
            MigrationScript.FromDirectory(DbFolder.Path).Select(s => (s.Version, s.Checksum)),
            rows);
        Assert.All(rows, r => Assert.Matches("^[0-9a-f]{64}$", r.Checksum));
    }

    [Fact]
    public async Task AnEditedScriptIsRefusedWithItsName()
    {
        File.AppendAllText(Path.Combine(_scripts, "0002_agents.sql"), "\nCREATE TABLE sneaky (id INTEGER);\n");

        var refused = await Assert.ThrowsAsync<MigrationException>(MigrateAsync);

        Assert.Contains("db/sqlite/0002_agents.sql was edited", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, await _db.ScalarAsync("SELECT count(*) FROM sqlite_schema WHERE name = 'sneaky'"));
    }

    [Fact]
    public async Task ACrLfCheckoutOfTheSameScriptIsNotAnEdit()
    {
        var path = Path.Combine(_scripts, "0002_agents.sql");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Empty(await MigrateAsync());
    }

    [Fact]
    public async Task ARenamedScriptIsRefusedAndDoesNotRunTwice()
    {
        var renamed = Number(1) + "_agent_path_indexes";
        File.Move(Path.Combine(_scripts, "0005_agent_path_indexes.sql"), Path.Combine(_scripts, renamed + ".sql"));

        var refused = await Assert.ThrowsAsync<MigrationException>(MigrateAsync);

        Assert.Contains($"db/sqlite/{renamed}.sql is db/sqlite/0005_agent_path_indexes.sql renamed", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, await _db.ScalarAsync($"SELECT count(*) FROM schema_version WHERE version = '{renamed}'"));
    }

    [Fact]
    public async Task AScriptNumberedBelowTheHighestAppliedIsRefused()
    {
        File.WriteAllText(Path.Combine(_scripts, "0004_late.sql"), "CREATE TABLE late (id INTEGER);");

        var refused = await Assert.ThrowsAsync<MigrationException>(MigrateAsync);

        Assert.Contains($"db/sqlite/0004_late.sql is new but its number 0004 is not above {Number(0)}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, await _db.ScalarAsync("SELECT count(*) FROM sqlite_schema WHERE name = 'late'"));
    }

    [Fact]
    public async Task ADeletedAppliedScriptIsRefused()
    {
        File.Delete(Path.Combine(_scripts, "0006_endpoint_catalog_version.sql"));

        var refused = await Assert.ThrowsAsync<MigrationException>(MigrateAsync);

        Assert.Contains("records db/sqlite/0006_endpoint_catalog_version.sql as applied, but there is no such script", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewScriptsNumberedAboveEveryAppliedOneApplyWithGapsAllowed()
    {
        File.WriteAllText(Path.Combine(_scripts, Number(1) + "_one.sql"), "CREATE TABLE one_more (id INTEGER);");
        File.WriteAllText(Path.Combine(_scripts, Number(3) + "_two.sql"), "CREATE TABLE two_more (id INTEGER);");
        File.WriteAllText(Path.Combine(_scripts, Number(6) + "_three.sql"), "CREATE TABLE three_more (id INTEGER);");

        Assert.Equal([Number(1) + "_one", Number(3) + "_two", Number(6) + "_three"], await MigrateAsync());
        Assert.Empty(await MigrateAsync());
    }

    [Fact]
    public async Task ADatabaseOfTheReleaseBeforeChecksumsUpgradesAndIsCheckedFromThen()
    {
        // That release's version table had no checksum column.
        await using (var connection = await _db.Database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await connection.ExecuteAsync("ALTER TABLE schema_version DROP COLUMN checksum");
        }

        File.WriteAllText(Path.Combine(_scripts, Number(1) + "_next.sql"), "CREATE TABLE next_table (id INTEGER);");
        Assert.Equal([Number(1) + "_next"], await MigrateAsync());
        Assert.Equal(0, await _db.ScalarAsync("SELECT count(*) FROM schema_version WHERE checksum IS NULL"));

        File.AppendAllText(Path.Combine(_scripts, "0001_initial.sql"), "\n-- edited\n");
        var refused = await Assert.ThrowsAsync<MigrationException>(MigrateAsync);
        Assert.Contains("db/sqlite/0001_initial.sql was edited", refused.Message, StringComparison.Ordinal);
    }

    private static string Number(int aboveHighest) => (Highest + aboveHighest).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    private Task<IReadOnlyList<string>> MigrateAsync() =>
        SqliteMigrator.MigrateAsync(_db.Database, _db.Time, MigrationScript.FromDirectory(_scripts), TestContext.Current.CancellationToken);
}
