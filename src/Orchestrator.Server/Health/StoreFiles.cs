using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Orchestrator.Data.Sqlite;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Health;

/// <summary>
/// The server's three SQLite files. At start each existing one must open and show its schema (a garbage or truncated
/// file fails there, named, instead of deep inside Quartz or Hangfire); /healthz takes each one's write lock and lets
/// it go, so a locked or read-only store is reported instead of hidden.
/// </summary>
internal static class StoreFiles
{
    public static IReadOnlyList<(string Name, string Path)> Of(OrchestratorOptions settings) =>
    [
        ("orchestrator.db", Path.GetFullPath(settings.DatabasePath)),
        ("quartz.db", Path.GetFullPath(settings.QuartzPath)),
        ("hangfire.db", Path.GetFullPath(settings.HangfirePath)),
    ];

    /// <summary>Null when every existing file reads; otherwise one line naming the first that does not and why.</summary>
    public static string? FindUnreadable(OrchestratorOptions settings)
    {
        foreach (var (name, path) in Of(settings))
        {
            if (!File.Exists(path))
            {
                continue; // created at first start
            }

            try
            {
                using var connection = Open(path, settings.DatabaseBusyTimeout);
                using var command = connection.CreateCommand();
                // Reading the schema reads the header and the first page: a file that is not SQLite, or is encrypted or
                // truncated there, fails here. A full integrity check would read every page and slow each start down.
                command.CommandText = "SELECT count(*) FROM sqlite_schema";
                command.ExecuteScalar();
            }
            catch (SqliteException e)
            {
                return $"Database {path} ({name}) cannot be read: {e.Message} The server did not start. " +
                    "Restore the file from a backup, or move it away to start with an empty one.";
            }
        }

        return null;
    }

    /// <summary>Reads the schema and takes the write lock (BEGIN IMMEDIATE, then ROLLBACK: nothing is written).</summary>
    public static async Task<(bool Ok, string Detail)> ProbeAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return (false, $"{Path.GetFileName(path)} is missing");
        }

        var clock = Stopwatch.StartNew();
        try
        {
            await using var connection = Open(path, timeout);
            // One statement per command: an error of a later statement in a batch can be lost when the reader closes.
            foreach (var statement in new[] { "SELECT count(*) FROM sqlite_schema", "BEGIN IMMEDIATE", "ROLLBACK" })
            {
                await using var command = connection.CreateCommand();
                command.CommandText = statement;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return (true, "readable and writable");
        }
        catch (SqliteException e)
        {
            return (false, string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(path)}: {e.Message} (after {clock.Elapsed.TotalSeconds:0.0} s)"));
        }
    }

    private static SqliteConnection Open(string path, TimeSpan busyTimeout)
    {
        // No pooling: a probe must see the file as it is now, and must not leave a handle open on a broken file.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}");
        command.ExecuteNonQuery();
        return connection;
    }
}
