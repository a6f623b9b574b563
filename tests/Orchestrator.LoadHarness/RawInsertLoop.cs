using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Orchestrator.LoadHarness;

/// <summary>
/// The ceiling for ingest on this machine: a raw Microsoft.Data.Sqlite loop, one prepared INSERT reused, into a table
/// of the same shape as <c>peer_traffic</c> (db/0002_agents.sql) in its own WAL file with the server's pragmas. With
/// <c>productIndex</c> the table carries the index the product's table has (db/0003_reports.sql replaced the
/// <c>run_id</c> index with a 6-column covering one); without, only the lighter <c>run_id</c> index.
/// </summary>
internal static class RawInsertLoop
{
    /// <summary>Rows per second, committing every <paramref name="rowsPerTransaction"/> rows, for about <paramref name="duration"/>.</summary>
    public static double Measure(string directory, int rowsPerTransaction, TimeSpan duration, bool productIndex = false)
    {
        var path = Path.Combine(directory, $"raw-{rowsPerTransaction}{(productIndex ? "-product-index" : "")}.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;");
        Execute(connection, """
            CREATE TABLE peer_traffic (
                id                INTEGER PRIMARY KEY,
                run_id            INTEGER,
                endpoint_id       INTEGER NOT NULL,
                peer_address      TEXT    NOT NULL,
                peer_endpoint_id  INTEGER,
                bytes_served      INTEGER NOT NULL,
                bytes_received    INTEGER NOT NULL,
                reported_at       INTEGER NOT NULL
            );
            """);
        Execute(connection, productIndex
            ? "CREATE INDEX ix_peer_traffic_run_pair ON peer_traffic (run_id, endpoint_id, peer_address, bytes_served, bytes_received, peer_endpoint_id);"
            : "CREATE INDEX ix_peer_traffic_run ON peer_traffic (run_id);");

        using var insert = connection.CreateCommand();
        insert.CommandText =
            "INSERT INTO peer_traffic (run_id, endpoint_id, peer_address, peer_endpoint_id, bytes_served, bytes_received, reported_at) VALUES ($run, $endpoint, $peer, $peerEndpoint, $served, $received, $at)";
        var run = insert.Parameters.Add("$run", SqliteType.Integer);
        var endpoint = insert.Parameters.Add("$endpoint", SqliteType.Integer);
        var peer = insert.Parameters.Add("$peer", SqliteType.Text);
        var peerEndpoint = insert.Parameters.Add("$peerEndpoint", SqliteType.Integer);
        var served = insert.Parameters.Add("$served", SqliteType.Integer);
        var received = insert.Parameters.Add("$received", SqliteType.Integer);
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        insert.Prepare();

        var rows = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            for (var i = 0; i < rowsPerTransaction; i++, rows++)
            {
                run.Value = 1 + (rows % 100);
                endpoint.Value = rows % 10_000;
                peer.Value = Addresses.Of((int)(rows % 10_000));
                peerEndpoint.Value = (rows + 1) % 10_000;
                served.Value = 1_048_576;
                received.Value = 4_096;
                at.Value = 1_800_000_000_000 + rows;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return rows / clock.Elapsed.TotalSeconds;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>Endpoint addresses from 198.18.0.0/15, the benchmarking range: never routed anywhere.</summary>
internal static class Addresses
{
    public static string Of(int index) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"198.{18 + (index >> 16)}.{(index >> 8) & 0xFF}.{index & 0xFF}");
}
