using System.Globalization;
using Npgsql;
using Orchestrator.Data.Postgres;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.StorageCopy;

/// <summary>
/// <c>Orchestrator.Server storage copy-to-postgres</c>: moves an installation from its SQLite file to PostgreSQL, once,
/// with the server stopped. Everything the product stores is copied with its ids (so agent credentials, API keys and
/// links keep working); Quartz's and Hangfire's own state is not (see <see cref="NotCopied"/>).
/// </summary>
internal static class StorageCommand
{
    public const string Verb = "storage";

    public const string Usage = """
        Usage: Orchestrator.Server storage copy-to-postgres [--connection <connection string>] [--from <orchestrator.db>]
                                                           [--config <file>] [--Orchestrator:DataDirectory <folder>]
          Copies the SQLite database of a stopped server (the data folder's orchestrator.db, or --from) into an empty
          PostgreSQL database: windows, groups, endpoints, agents, enrollment tokens, API keys, webhooks, runs with their
          members, traffic, blocked attempts, scans, reports and the audit log, ids kept; then the Data Protection keys
          of the keys/ folder beside that file into the shared key ring. Both databases are first
          brought to this release's schema; the copy is one transaction (all or nothing) and checks every table's row
          count. The connection string comes from --connection or Orchestrator:PostgresConnectionString (prefer the
          environment, Orchestrator__PostgresConnectionString: a password on the command line is visible to local users).
          Quartz's and Hangfire's state is not copied: schedules and pending closes are derived again from the copied
          windows and runs when the server starts on PostgreSQL.
        """;

    /// <summary>Printed after every copy: what the operator must not expect on PostgreSQL.</summary>
    public const string NotCopied = """
        Not copied: Quartz's schedules (quartz.db) and Hangfire's jobs (hangfire.db). At its first start on PostgreSQL the
        server schedules every enabled window's next occurrence and every unfinished run's cutoff and end again (an end
        already passed closes the run at once), and gives every run the job it waits on: the opening of a run still in
        state Opening (a run waiting for its pre-open hook gets a new hook job, which asks the hook unless its answer was
        recorded), the close of a run still Closing, the scan dispatch of an open run that scans, the settling of the
        close states of a run closed within minutes of the last close and left unsettled (with its unconfirmed-close
        alert), and the post-close hook call and report snapshot of a run closed within minutes of the last close
        (unless its call was recorded; with its critical-anomaly alert, unless both were stored).
        Webhook deliveries still queued or retrying are queued again from the copied outbox, under their own ids.
        """;

    public static bool IsCommand(string[] args) => args is [Verb, ..];

    public static async Task<int> RunAsync(string[] args, OrchestratorOptions settings, TextWriter output, TextWriter error)
    {
        if (args is not [Verb, "copy-to-postgres", .. var rest])
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        if (!TryParse(rest, out var connection, out var from, out var problem))
        {
            await error.WriteLineAsync(problem + Environment.NewLine + Usage);
            return 2;
        }

        connection ??= settings.PostgresConnectionString;
        if (string.IsNullOrWhiteSpace(connection))
        {
            await error.WriteLineAsync("Missing --connection: give the PostgreSQL connection string (Npgsql form, e.g. \"Host=db;Database=orchestrator;Username=orchestrator\") " +
                "with --connection or Orchestrator__PostgresConnectionString." + Environment.NewLine + Usage);
            return 2;
        }

        PostgresDatabase target;
        try
        {
            target = new PostgresDatabase(connection);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"Invalid --connection: {e.Message} Accepted: an Npgsql connection string such as \"Host=db;Database=orchestrator;Username=orchestrator\".");
            return 2;
        }

        await using (target)
        {
            var time = TimeProvider.System;
            var path = from ?? settings.DatabasePath;
            await output.WriteLineAsync($"Copying {Path.GetFullPath(path)} to {Describe(connection)}.");
            try
            {
                var summary = await new SqliteToPostgresCopy(output, time).RunAsync(
                    path, target.DataSource, ct => PostgresMigrator.MigrateAsync(target, time, ct), CancellationToken.None);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Copied {summary.Tables.Sum(t => t.Rows):N0} rows in {summary.Tables.Count} tables in {summary.Elapsed.TotalSeconds:0.0} s; every table's row count matches."));
                if (summary.PostgresOnly.Count > 0)
                {
                    await output.WriteLineAsync($"Left as the migrations made them (PostgreSQL only): {string.Join(", ", summary.PostgresOnly)}.");
                }

                var keys = await KeyRingImport.RunAsync(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "keys"), target.DataSource, CancellationToken.None);
                await output.WriteLineAsync(KeyRingImport.Describe(keys));
                await output.WriteLineAsync(NotCopied);
                await output.WriteLineAsync("Next: start the server with Orchestrator:Storage=postgres and this connection string. " +
                    "The SQLite files stay in place (brought to this release's schema if they were older) as a fallback.");
                return 0;
            }
            catch (CopyRefusedException e)
            {
                await error.WriteLineAsync($"Not copied: {e.Message}");
                return 1;
            }
            catch (Exception e) when (e is NpgsqlException or Data.Migrations.MigrationException or Microsoft.Data.Sqlite.SqliteException)
            {
                await error.WriteLineAsync($"Not copied: {e.Message} Nothing was committed to PostgreSQL.");
                return 1;
            }
        }
    }

    private static bool TryParse(string[] args, out string? connection, out string? from, out string problem)
    {
        (connection, from, problem) = (null, null, "");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--connection" when i + 1 < args.Length:
                    connection = args[++i];
                    break;
                case "--from" when i + 1 < args.Length:
                    from = args[++i];
                    break;
                case "--connection" or "--from":
                    problem = $"{args[i]} needs a value.";
                    return false;
                case var setting when IsSetting(setting) && i + 1 < args.Length:
                    // Read by the host's configuration (the server's own settings), like the server's start.
                    i++;
                    break;
                default:
                    problem = $"Unknown argument '{args[i]}'. Accepted: --connection <connection string>, --from <file>, --config <file>, --<Section:Name> <value> (a setting).";
                    return false;
            }
        }

        return true;
    }

    private static bool IsSetting(string argument) =>
        argument.StartsWith("--", StringComparison.Ordinal) && (argument == "--config" || argument.Contains(':', StringComparison.Ordinal));

    /// <summary>Where to, without the password.</summary>
    private static string Describe(string connection)
    {
        var builder = new NpgsqlConnectionStringBuilder(connection);
        return string.Create(CultureInfo.InvariantCulture, $"PostgreSQL database '{builder.Database ?? builder.Username}' on {builder.Host ?? "localhost"}:{builder.Port}");
    }
}
