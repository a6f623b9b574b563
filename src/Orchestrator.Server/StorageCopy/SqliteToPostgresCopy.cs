using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orchestrator.Data.Sqlite;

namespace Orchestrator.Server.StorageCopy;

/// <summary>
/// Copies the product's tables from one SQLite file into an empty PostgreSQL database, ids kept, in one PostgreSQL
/// transaction: either every row arrives (counts verified per table) or nothing does. The SQLite file is held with an
/// exclusive lock from the check to the end, so no server can write to it meanwhile and nothing written there is left
/// behind; a file another process has open is refused before anything changes.
/// </summary>
internal sealed class SqliteToPostgresCopy(TextWriter output, TimeProvider time)
{
    /// <param name="migratePostgres">Brings the target's schema to this release (the PostgreSQL migrations); answers the scripts applied.</param>
    public async Task<CopySummary> RunAsync(
        string sqlitePath, NpgsqlDataSource target, Func<CancellationToken, Task<IReadOnlyList<string>>> migratePostgres, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var path = Path.GetFullPath(sqlitePath);
        if (!File.Exists(path))
        {
            throw new CopyRefusedException($"There is no SQLite database at {path}. Give the server's data folder (--Orchestrator:DataDirectory, --config) or the file (--from).");
        }

        // Checked before anything is written anywhere: a refused copy changes neither database.
        await using (await OpenExclusiveAsync(path, ct))
        {
        }

        var appliedPostgres = await migratePostgres(ct);
        await output.WriteLineAsync($"PostgreSQL schema: {(appliedPostgres.Count == 0 ? "up to date" : "applied " + string.Join(", ", appliedPostgres))}");
        await using var postgres = await target.OpenConnectionAsync(ct);
        await RefuseNonEmptyAsync(postgres, ct);

        // The copy reads the tables as this release defines them, so an older file is migrated first, as the server's
        // own start would do.
        var appliedSqlite = await SqliteMigrator.MigrateAsync(new SqliteDatabase(path), time, ct);
        SqliteConnection.ClearAllPools();
        await output.WriteLineAsync($"SQLite database {path}: {(appliedSqlite.Count == 0 ? "up to date" : "applied " + string.Join(", ", appliedSqlite))}");

        await using var sqlite = await OpenExclusiveAsync(path, ct);
        var tables = await CopyPlan.ReadAsync(sqlite, postgres, ct);
        await using var transaction = await postgres.BeginTransactionAsync(ct);
        var copied = new List<(string Table, long Rows)>();
        foreach (var table in tables)
        {
            var started = Stopwatch.GetTimestamp();
            if (table.Seeded)
            {
                await postgres.ExecuteAsync($"DELETE FROM {Target(table.Name)}", transaction: transaction);
            }

            var triggers = await PauseTriggersAsync(postgres, transaction, table.Name, ct);
            var rows = await CopyTableAsync(sqlite, postgres, table, ct);
            if (triggers == Triggers.Paused)
            {
                await postgres.ExecuteAsync($"ALTER TABLE {Target(table.Name)} ENABLE TRIGGER USER", transaction: transaction);
            }

            copied.Add((table.Name, rows));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {table.Name,-32} {rows,12:N0} rows {Stopwatch.GetElapsedTime(started).TotalSeconds,7:0.00} s{(triggers == Triggers.Fired ? " (its triggers fired per row: the user does not own the table)" : "")}"));
        }

        await ResetSequencesAsync(sqlite, postgres, transaction, ct);
        await VerifyCountsAsync(sqlite, postgres, transaction, tables, ct);
        await transaction.CommitAsync(ct);

        // Tables only PostgreSQL has (state of its own, e.g. for several nodes) are left as the migrations made them.
        var left = (await CopyPlan.PostgresTablesAsync(postgres, ct)).Where(t => !tables.Any(c => c.Name == t)).ToList();
        return new CopySummary(path, copied, left, clock.Elapsed);
    }

    private enum Triggers
    {
        None,
        Paused,
        Fired,
    }

    /// <summary>
    /// The product's triggers keep derived state current (the endpoint catalog's version) for single writes; fired per
    /// copied row they only redo what the copy sets anyway, and one row updated once per endpoint in one transaction
    /// slows down with every update (10,000 endpoints took 7 s). They are switched off for the table's copy and on again
    /// in the same transaction, so a failed copy leaves them as they were. Only the table's owner may do that; anyone else
    /// copies with the triggers firing, slower but with the same result.
    /// </summary>
    private static async Task<Triggers> PauseTriggersAsync(NpgsqlConnection postgres, NpgsqlTransaction transaction, string table, CancellationToken ct)
    {
        var has = await postgres.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = @table::regclass AND NOT tgisinternal)",
            new { table = Target(table) },
            transaction,
            cancellationToken: ct));
        if (!has)
        {
            return Triggers.None;
        }

        await transaction.SaveAsync("triggers", ct);
        try
        {
            await postgres.ExecuteAsync($"ALTER TABLE {Target(table)} DISABLE TRIGGER USER", transaction: transaction);
            await transaction.ReleaseAsync("triggers", ct);
            return Triggers.Paused;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            await transaction.RollbackAsync("triggers", ct);
            return Triggers.Fired;
        }
    }

    private static async Task<long> CopyTableAsync(SqliteConnection sqlite, NpgsqlConnection postgres, CopyTable table, CancellationToken ct)
    {
        var columns = string.Join(", ", table.Columns.Select(c => Quote(c.Name)));
        await using var reader = await sqlite.ExecuteReaderAsync($"SELECT rowid, {columns} FROM {Quote(table.Name)} ORDER BY rowid");
        try
        {
            await using var writer = await postgres.BeginBinaryImportAsync($"COPY {Target(table.Name)} ({columns}) FROM STDIN (FORMAT BINARY)", ct);
            while (await reader.ReadAsync(ct))
            {
                var rowId = reader.GetInt64(0);
                await writer.StartRowAsync(ct);
                for (var i = 0; i < table.Columns.Count; i++)
                {
                    await CopyValues.WriteAsync(writer, reader.GetValue(i + 1), table.Columns[i], table.Name, rowId, ct);
                }
            }

            return (long)await writer.CompleteAsync(ct);
        }
        catch (PostgresException e)
        {
            throw new CopyRefusedException($"PostgreSQL refused a row of {table.Name}: {e.MessageText}{(e.Detail is { } d ? " (" + d + ")" : "")}.");
        }
    }

    /// <summary>
    /// Ids were copied as they are, so each identity sequence is moved past them; where SQLite remembered a higher id
    /// (AUTOINCREMENT tables keep the highest id ever given, deleted rows included) that one, so that an id is never
    /// given twice, as on SQLite.
    /// </summary>
    private static async Task ResetSequencesAsync(SqliteConnection sqlite, NpgsqlConnection postgres, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var remembered = await sqlite.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'") > 0
            ? (await sqlite.QueryAsync<(string Name, long Seq)>("SELECT name, seq FROM sqlite_sequence")).ToDictionary(r => r.Name, r => r.Seq, StringComparer.Ordinal)
            : [];
        var sequences = await postgres.QueryAsync<(string Table, string Column, string Sequence)>(new CommandDefinition(
            """
            SELECT table_name, column_name, pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name)
            FROM information_schema.columns
            WHERE table_schema = @schema AND pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) IS NOT NULL
            """,
            new { schema = CopyPlan.Schema },
            transaction,
            cancellationToken: ct));
        foreach (var (table, column, sequence) in sequences)
        {
            var floor = remembered.GetValueOrDefault(table);
            await postgres.ExecuteAsync(new CommandDefinition(
                $"""
                SELECT setval(@sequence, GREATEST(@floor, coalesce(max({Quote(column)}), 0), 1), GREATEST(@floor, coalesce(max({Quote(column)}), 0)) > 0)
                FROM {Target(table)}
                """,
                new { sequence, floor },
                transaction,
                cancellationToken: ct));
        }
    }

    private static async Task VerifyCountsAsync(
        SqliteConnection sqlite, NpgsqlConnection postgres, NpgsqlTransaction transaction, IReadOnlyList<CopyTable> tables, CancellationToken ct)
    {
        foreach (var table in tables)
        {
            var source = await sqlite.ExecuteScalarAsync<long>($"SELECT count(*) FROM {Quote(table.Name)}");
            var copied = await postgres.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {Target(table.Name)}", transaction: transaction, cancellationToken: ct));
            if (source != copied)
            {
                throw new CopyRefusedException(string.Create(CultureInfo.InvariantCulture,
                    $"{table.Name}: {source} rows in SQLite but {copied} in PostgreSQL after the copy (a trigger or rule of the target changed them)."));
            }
        }
    }

    private static async Task RefuseNonEmptyAsync(NpgsqlConnection postgres, CancellationToken ct)
    {
        var used = new List<string>();
        foreach (var table in await CopyPlan.PostgresTablesAsync(postgres, ct))
        {
            if (!CopyPlan.IsSeeded(table) && await postgres.ExecuteScalarAsync<bool>(new CommandDefinition($"SELECT EXISTS (SELECT 1 FROM {Target(table)})", cancellationToken: ct)))
            {
                used.Add(table);
            }
        }

        if (used.Count > 0)
        {
            throw new CopyRefusedException(
                $"The PostgreSQL database is not empty: {string.Join(", ", used)} already hold rows. The copy only fills a new database " +
                "(it never merges into or overwrites one); create an empty database and give its connection string.");
        }
    }

    /// <summary>
    /// No pool (closing releases the lock) and SQLite's exclusive locking mode: in WAL mode the lock is refused while
    /// any other connection has the file open, even one idle in a running server's pool — which a write-lock probe would
    /// not notice between the server's writes.
    /// </summary>
    private static async Task<SqliteConnection> OpenExclusiveAsync(string path, CancellationToken ct)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 1 }.ToString());
        try
        {
            await connection.OpenAsync(ct);
            await connection.ExecuteAsync("PRAGMA busy_timeout = 500; PRAGMA locking_mode = EXCLUSIVE;");
            await connection.ExecuteAsync("BEGIN EXCLUSIVE");
            return connection;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            await connection.DisposeAsync();
            throw new CopyRefusedException(
                $"{path} is in use by another process (a running server, or a command on the same data folder): {e.Message} " +
                "Stop the server first; the copy needs the file to itself so that nothing written during the copy is left behind. Nothing was changed.");
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static string Target(string table) => $"{Quote(CopyPlan.Schema)}.{Quote(table)}";

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>What a finished copy did: rows per table in copy order, PostgreSQL-only tables left as they were.</summary>
internal sealed record CopySummary(string SqlitePath, IReadOnlyList<(string Table, long Rows)> Tables, IReadOnlyList<string> PostgresOnly, TimeSpan Elapsed);
