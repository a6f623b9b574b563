using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Orchestrator.LoadHarness;

/// <summary>
/// The ceiling for ingest on PostgreSQL, the counterpart of <see cref="RawInsertLoop"/>: a raw Npgsql binary COPY
/// loop, each COPY its own transaction, into a copy of the product's <c>peer_traffic</c> table in the same database
/// (<c>LIKE peer_traffic INCLUDING ALL</c>: the same columns, identity, defaults and the product's indexes of
/// db/postgres/0001_initial.sql), so the ceiling pays for the same index maintenance as the server's own inserts and
/// the product's table keeps only what the agents reported. Dropped afterwards.
/// </summary>
internal static class RawCopyLoop
{
    /// <summary>Rows per second, one COPY (one commit) every <paramref name="rowsPerCopy"/> rows, for about <paramref name="duration"/>.</summary>
    public static async Task<double> MeasureAsync(string connectionString, int rowsPerCopy, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "DROP TABLE IF EXISTS raw_peer_traffic; CREATE TABLE raw_peer_traffic (LIKE peer_traffic INCLUDING ALL)", cancellationToken);
        try
        {
            var rows = 0L;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                await using var copy = await connection.BeginBinaryImportAsync(
                    "COPY raw_peer_traffic (run_id, endpoint_id, peer_address, peer_endpoint_id, bytes_served, bytes_received, reported_at) FROM STDIN (FORMAT BINARY)",
                    cancellationToken);
                for (var i = 0; i < rowsPerCopy; i++, rows++)
                {
                    await copy.StartRowAsync(cancellationToken);
                    // LIKE copies no foreign key, so run ids need no runs rows (as in RawInsertLoop).
                    await copy.WriteAsync(1 + (rows % 100), NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(rows % 10_000, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(Addresses.Of((int)(rows % 10_000)), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync((rows + 1) % 10_000, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(1_048_576L, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(4_096L, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(1_800_000_000_000 + rows, NpgsqlDbType.Bigint, cancellationToken);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            return rows / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            await ExecuteAsync(connection, "DROP TABLE IF EXISTS raw_peer_traffic", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
