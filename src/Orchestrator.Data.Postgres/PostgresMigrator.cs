using Dapper;
using Npgsql;
using Orchestrator.Data.Migrations;

namespace Orchestrator.Data.Postgres;

/// <summary>
/// Applies the numbered scripts from db/postgres/ (embedded) that the version table does not list yet, each in its own
/// transaction, in order, and records each one's SHA-256, under the same <see cref="MigrationRules"/> as SQLite: an
/// edited, renamed, missing or out-of-order script stops it with a <see cref="MigrationException"/>. Nodes starting at
/// the same time take turns on an advisory lock, so the scripts run once and the others find them applied.
/// </summary>
public static class PostgresMigrator
{
    /// <summary>Where the scripts live in the repository; messages name scripts by this path.</summary>
    public const string Folder = "db/postgres";

    /// <summary>The advisory lock key the migrating node holds ("orchestr" in ASCII): one key per database.</summary>
    internal const long LockKey = 0x6f72636865737472;

    public static Task<IReadOnlyList<string>> MigrateAsync(PostgresDatabase database, TimeProvider time, CancellationToken cancellationToken = default) =>
        MigrateAsync(database, time, MigrationScript.Embedded(typeof(PostgresMigrator).Assembly), cancellationToken);

    /// <param name="scripts">The scripts to hold the database to; <see cref="MigrationScript.Embedded"/> of this assembly in the product.</param>
    public static async Task<IReadOnlyList<string>> MigrateAsync(
        PostgresDatabase database, TimeProvider time, IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(scripts);
        await using var connection = await database.OpenAsync(cancellationToken);

        // A session lock, held across the scripts' own transactions.
        return await SessionLocks.WhileHeldAsync(connection, LockKey, () => MigrateLockedAsync(connection, time, scripts, cancellationToken), cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> MigrateLockedAsync(
        NpgsqlConnection connection, TimeProvider time, IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {PostgresDatabase.Schema}");
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_version (version text PRIMARY KEY, applied_at bigint NOT NULL, checksum text)");

        var applied = (await connection.QueryAsync<(string Version, string? Checksum)>("SELECT version, checksum FROM schema_version"))
            .Select(r => new AppliedMigration(r.Version, r.Checksum)).ToList();
        var (pending, backfill) = MigrationRules.Check(scripts, applied, Folder);
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
            await connection.ExecuteAsync(new CommandDefinition(script.Sql, transaction: transaction, cancellationToken: cancellationToken));
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
