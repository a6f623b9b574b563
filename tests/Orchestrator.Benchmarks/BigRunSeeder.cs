using System.Globalization;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Enforcement;

namespace Orchestrator.Benchmarks;

/// <summary>
/// Writes one closed run straight into orchestrator.db with prepared inserts in one transaction: endpoints with
/// agents, members with acknowledgements, scans, peer traffic rows (each endpoint reports <see cref="PeersEach"/>
/// peers, so every row is its own pair: the worst case for the transfer table) and blocked attempts.
/// </summary>
internal sealed class BigRunSeeder(string databasePath, int endpoints, int trafficRows)
{
    public int PeersEach => trafficRows / endpoints;

    public long Seed(long windowId, DateTimeOffset start)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        Exec(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;");
        using var tx = connection.BeginTransaction();
        var t0 = start.ToUnixTimeMilliseconds();
        var end = t0 + 3_600_000;
        var random = new Random(42);

        var runId = Convert.ToInt64(Scalar(connection, tx,
            """
            INSERT INTO runs (window_id, window_name, occurrence_key, kind, state, planned_start, planned_end, cutoff_at, opened_at, closed_at, close_reason, definition, created_at, updated_at)
            SELECT id, name, 'bench-' || @t0, 'Scheduled', 'Closed', @t0, @end, @end - 600000, @t0 + 400, @end + 300, 'Ended', definition, @t0, @end
            FROM windows WHERE id = @windowId RETURNING id
            """, ("@t0", t0), ("@end", end), ("@windowId", windowId)), CultureInfo.InvariantCulture);

        using (var endpoint = Prepare(connection, tx, "INSERT INTO endpoints (id, hostname, addresses, os, tags, source, created_at, updated_at, last_seen_at) VALUES ($id, $host, $addresses, 'windows', '[\"bench\"]', 'agent', $t, $t, $t)", "$id", "$host", "$addresses", "$t"))
        using (var address = Prepare(connection, tx, "INSERT INTO endpoint_addresses (address, endpoint_id) VALUES ($address, $id)", "$address", "$id"))
        using (var agent = Prepare(connection, tx, "INSERT INTO agents (id, endpoint_id, secret_hash, agent_version, enrolled_at, last_seen_at, applied_version) VALUES ($id, $endpoint, 'x', 'bench', $t, $seen, 1)", "$id", "$endpoint", "$t", "$seen"))
        using (var member = Prepare(connection, tx, "INSERT INTO run_members (run_id, endpoint_id, hostname, addresses, open_acked_at, close_acked_at, close_state) VALUES ($run, $id, $host, $addresses, $open, $close, $state)", "$run", "$id", "$host", "$addresses", "$open", "$close", "$state"))
        using (var scan = Prepare(connection, tx, "INSERT INTO scans (id, run_id, endpoint_id, dispatched_at, timeout_seconds, outcome, exit_code, duration_ms, reported_at) VALUES ($id, $run, $endpoint, $at, 900, $outcome, $exit, $duration, $at)", "$id", "$run", "$endpoint", "$at", "$outcome", "$exit", "$duration"))
        {
            for (var i = 1; i <= endpoints; i++)
            {
                var host = Host(i);
                var addresses = $"[\"{Address(i)}\"]";
                Run(endpoint, i, host, addresses, t0 - 86_400_000);
                Run(address, Address(i), i);
                Run(agent, $"agent-{i}", i, t0 - 86_400_000, i % 500 == 0 ? t0 : end + 60_000);
                var unconfirmed = i % 200 == 0;
                Run(member, runId, i, host, addresses, i % 1_000 == 0 ? null : t0 + 400 + random.Next(50, 4_000),
                    unconfirmed ? null : end + random.Next(50, 3_000), unconfirmed ? "ClosedByExpiryUnconfirmed" : "Confirmed");
                var failed = i % 33 == 0;
                Run(scan, $"run{runId}-ep{i}", runId, i, t0 + 1_000 + (i * 10), failed ? "Failed" : "Succeeded", failed ? 1 : 0, random.Next(20_000, 600_000));
            }
        }

        // The run's peer set, once for the run (db/0010): every member's address as exact ranges.
        Scalar(connection, tx, "INSERT INTO run_peer_sets (run_id, ranges) VALUES (@run, @ranges)", ("@run", runId),
            ("@ranges", RunPeerSet.OfText(Enumerable.Range(1, endpoints).Select(Address)).Canonical));

        using (var traffic = Prepare(connection, tx, "INSERT INTO peer_traffic (run_id, endpoint_id, peer_address, peer_endpoint_id, bytes_served, bytes_received, reported_at) VALUES ($run, $endpoint, $peer, $peerId, $served, $received, $at)", "$run", "$endpoint", "$peer", "$peerId", "$served", "$received", "$at"))
        {
            for (var i = 1; i <= endpoints; i++)
            {
                foreach (var p in Peers(i))
                {
                    Run(traffic, runId, i, Address(p), p, random.Next(0, 50_000_000), random.Next(0, 50_000_000), t0 + random.Next(0, 3_600_000));
                }
            }
        }

        using (var blocked = Prepare(connection, tx, "INSERT INTO blocked_attempts (run_id, endpoint_id, source_address, source_endpoint_id, port, count, reported_at) VALUES ($run, $endpoint, $source, NULL, 7680, $count, $at)", "$run", "$endpoint", "$source", "$count", "$at"))
        {
            for (var i = 1; i <= 1_000; i++)
            {
                Run(blocked, runId, random.Next(1, endpoints + 1), $"192.0.2.{(i % 250) + 1}", random.Next(1, 40), t0 + random.Next(0, 3_600_000));
            }
        }

        foreach (var (at, action) in new[] { (t0, "created"), (t0 + 400, "Opening → Open"), (end - 600_000, "Open → Cutoff"), (end + 300, "Cutoff → Closing"), (end + 300, "Closing → Closed") })
        {
            Scalar(connection, tx, "INSERT INTO audit_log (at, actor, entity, entity_id, action) VALUES (@at, 'scheduler', 'run', @id, @action)",
                ("@at", at), ("@id", runId.ToString(CultureInfo.InvariantCulture)), ("@action", action));
        }

        tx.Commit();
        Exec(connection, "ANALYZE;");
        return runId;
    }

    private IEnumerable<int> Peers(int i) => Enumerable.Range(1, PeersEach).Select(k => ((i - 1 + (k * 97)) % endpoints) + 1);

    private static string Host(int i) => $"pc-{i:00000}";

    private static string Address(int i) => $"10.{i / 65536}.{(i / 256) % 256}.{i % 256}";

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteScalar();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private static void Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        command.ExecuteNonQuery();
    }
}
