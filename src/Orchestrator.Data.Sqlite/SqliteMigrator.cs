using Dapper;
using Orchestrator.Data.Migrations;

namespace Orchestrator.Data.Sqlite;

/// <summary>
/// Applies the numbered scripts from db/sqlite/ (embedded) that the version table does not list yet, each in its own
/// transaction, in order, and records each one's SHA-256. Before applying anything it checks <see cref="MigrationRules"/>:
/// an edited, renamed, missing or out-of-order script stops it with a <see cref="MigrationException"/>.
/// </summary>
public static class SqliteMigrator
{
    /// <summary>Where the scripts live in the repository; messages name scripts by this path.</summary>
    public const string Folder = "db/sqlite";

    public static Task<IReadOnlyList<string>> MigrateAsync(SqliteDatabase database, TimeProvider time, CancellationToken cancellationToken = default) =>
        MigrateAsync(database, time, MigrationScript.Embedded(typeof(SqliteMigrator).Assembly), cancellationToken);

    /// <param name="scripts">The scripts to hold the database to; <see cref="MigrationScript.Embedded"/> of this assembly in the product.</param>
    public static async Task<IReadOnlyList<string>> MigrateAsync(
        SqliteDatabase database, TimeProvider time, IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(scripts);
        Directory.CreateDirectory(Path.GetDirectoryName(database.Path)!);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_version (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL, checksum TEXT)");
        // Databases of releases before checksums have the table without the column. The migrator owns this table, so
        // it changes it itself: a numbered script could not, as the checks below need the column before any script runs.
        var columns = await connection.QueryAsync<string>("SELECT name FROM pragma_table_info('schema_version')");
        if (!columns.Contains("checksum", StringComparer.Ordinal))
        {
            await connection.ExecuteAsync("ALTER TABLE schema_version ADD COLUMN checksum TEXT");
        }

        var applied = (await connection.QueryAsync<(string Version, string? Checksum)>("SELECT version, checksum FROM schema_version"))
            .Select(r => new AppliedMigration(r.Version, r.Checksum)).ToList();
        var (pending, backfill) = MigrationRules.Check(scripts, applied, Folder);

        // Scripts applied before checksums existed are taken as they are in this release: they cannot have been
        // checked before, and from now on any change to them is refused.
        foreach (var script in backfill)
        {
            await connection.ExecuteAsync(
                "UPDATE schema_version SET checksum = @checksum WHERE version = @version AND checksum IS NULL",
                new { checksum = script.Checksum, version = script.Version });
        }

        var done = new List<string>();
        foreach (var script in pending)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(script.Sql, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, applied_at, checksum) VALUES (@version, @at, @checksum)",
                new { version = script.Version, at = time.GetUtcNow().ToUnixTimeMilliseconds(), checksum = script.Checksum },
                transaction);
            await transaction.CommitAsync(cancellationToken);
            done.Add(script.Version);
        }

        return done;
    }
}
