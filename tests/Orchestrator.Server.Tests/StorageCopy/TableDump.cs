using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Orchestrator.Server.Tests.StorageCopy;

/// <summary>
/// Every row of every product table as text, per table, in one canonical order, read straight from the files and the
/// database (not through the product), so that a copy is compared value by value: a boolean as 0/1, null as ∅.
/// </summary>
internal static class TableDump
{
    public static async Task<SortedDictionary<string, List<string>>> OfSqliteAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var tables = await ReadColumnAsync(connection, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_version'");
        var dump = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var columns = await ReadColumnAsync(connection, $"SELECT name FROM pragma_table_info('{table}') ORDER BY name");
            dump[table] = await RowsAsync(connection, $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\"");
        }

        return dump;
    }

    public static async Task<SortedDictionary<string, List<string>>> OfPostgresAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var tables = await ReadColumnAsync(connection,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'orchestrator' AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'");
        var dump = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var columns = await ReadColumnAsync(connection,
                $"SELECT column_name FROM information_schema.columns WHERE table_schema = 'orchestrator' AND table_name = '{table}' ORDER BY column_name COLLATE \"C\"");
            dump[table] = await RowsAsync(connection, $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM orchestrator.\"{table}\"");
        }

        return dump;
    }

    private static async Task<List<string>> ReadColumnAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static async Task<List<string>> RowsAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            var values = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values[i] = reader.GetName(i) + "=" + reader.GetValue(i) switch
                {
                    DBNull => "∅",
                    bool b => b ? "1" : "0",
                    var v => Convert.ToString(v, CultureInfo.InvariantCulture),
                };
            }

            rows.Add(string.Join(" | ", values));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
