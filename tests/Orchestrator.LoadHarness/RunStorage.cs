using Microsoft.Data.Sqlite;

namespace Orchestrator.LoadHarness;

/// <summary>
/// What the runs' members and peer sets take in the database, in pages: their rows are copied, with the tables' own
/// schema and indexes, into an empty database file, and its growth is counted (the server's file also grows with the
/// traffic reports written meanwhile, so its size says nothing about the runs alone; the bundled SQLite has no dbstat).
/// </summary>
internal static class RunStorage
{
    private static readonly string[] Tables = ["run_members", "run_peer_sets"];

    /// <returns>Bytes and members of the runs together.</returns>
    public static (long Bytes, long Members) Measure(string dataDirectory, IReadOnlyList<long> runIds)
    {
        var copy = Path.Combine(dataDirectory, "run-storage.db");
        File.Delete(copy);
        using var connection = new SqliteConnection($"Data Source={copy};Pooling=False;Foreign Keys=False");
        connection.Open();
        Execute(connection, $"ATTACH DATABASE '{Path.Combine(dataDirectory, "orchestrator.db")}' AS src");
        using (var schema = connection.CreateCommand())
        {
            schema.CommandText = "SELECT sql FROM src.sqlite_master WHERE tbl_name IN ('run_members', 'run_peer_sets') AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC";
            var statements = new List<string>();
            using (var reader = schema.ExecuteReader())
            {
                while (reader.Read())
                {
                    statements.Add(reader.GetString(0));
                }
            }

            foreach (var statement in statements)
            {
                Execute(connection, statement);
            }
        }

        var empty = UsedBytes(connection);
        var ids = string.Join(',', runIds);
        foreach (var table in Tables)
        {
            Execute(connection, $"INSERT INTO main.{table} SELECT * FROM src.{table} WHERE run_id IN ({ids})");
        }

        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM main.run_members";
        var members = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var bytes = UsedBytes(connection) - empty;
        Execute(connection, "DETACH DATABASE src");
        return (bytes, members);
    }

    private static long UsedBytes(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (page_count - freelist_count) * page_size FROM pragma_page_count, pragma_freelist_count, pragma_page_size";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
