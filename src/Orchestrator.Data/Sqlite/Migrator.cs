using System.Reflection;
using Dapper;

namespace Orchestrator.Data.Sqlite;

/// <summary>
/// Applies the numbered scripts from db/ (embedded) that the version table does not list yet, each in its
/// own transaction, in order.
/// </summary>
public static class Migrator
{
    public static async Task<IReadOnlyList<string>> MigrateAsync(Database database, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(Path.GetDirectoryName(database.Path)!);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_version (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
        var applied = (await connection.QueryAsync<string>("SELECT version FROM schema_version")).ToHashSet(StringComparer.Ordinal);

        var done = new List<string>();
        foreach (var (version, sql) in Scripts())
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(sql, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, applied_at) VALUES (@version, @at)",
                new { version, at = time.GetUtcNow().ToUnixTimeMilliseconds() },
                transaction);
            await transaction.CommitAsync(cancellationToken);
            done.Add(version);
        }

        return done;
    }

    internal static IEnumerable<(string Version, string Sql)> Scripts()
    {
        var assembly = typeof(Migrator).Assembly;
        const string marker = ".Migrations.";
        foreach (var name in assembly.GetManifestResourceNames()
                     .Where(n => n.Contains(marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            var file = name[(name.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (file[..^".sql".Length], reader.ReadToEnd());
        }
    }
}
