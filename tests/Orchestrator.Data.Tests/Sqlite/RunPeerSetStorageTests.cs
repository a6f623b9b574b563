using System.Globalization;
using Dapper;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Migrations;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Sqlite;

namespace Orchestrator.Data.Tests.Sqlite;

/// <summary>
/// A run stores its members once and its peer set once (db/0010): storage per member is a bounded constant, and runs
/// stored before the change keep meaning what their per-member allow-lists meant.
/// </summary>
public sealed class RunPeerSetStorageTests
{
    /// <summary>Before, each member stored every other member's address: bytes per member grew with the group (about
    /// 1.2 GB for one run of 10,000). Measured as the database's growth in used pages when the run opens (the bundled
    /// SQLite has no dbstat), with addresses that form no range (every other address: the set's worst case).</summary>
    [Fact]
    public async Task StoragePerRunMemberIsTheSameForOneHundredAndTenThousandMembers()
    {
        var small = await BytesPerMemberAsync(100);
        var large = await BytesPerMemberAsync(10_000);

        var figures = string.Create(CultureInfo.InvariantCulture, $"run storage per member: {small:0} bytes at 100 members, {large:0} bytes at 10,000");
        TestContext.Current.SendDiagnosticMessage(figures);
        Console.WriteLine(figures);
        Assert.True(large <= small * 1.5, figures);
        Assert.True(large <= 1_024, figures);
    }

    [Fact]
    public async Task RunsStoredBeforeThePeerSetGetTheirMembersAddressesAsTheirSet()
    {
        await using var db = await TempDatabase.CreateAsync(migrate: false);
        var ct = TestContext.Current.CancellationToken;
        var scripts = MigrationScript.Embedded(typeof(SqliteMigrator).Assembly);
        await SqliteMigrator.MigrateAsync(db.Database, db.Time, scripts.Where(s => string.CompareOrdinal(s.Version, "0010") < 0).ToList(), ct);
        await InsertEndpointsAsync(db, 3, i => $"198.18.0.{i}");
        var store = new SqliteRunStore(db.Database);
        var run = await CreateRunAsync(db, store);
        await using (var connection = await db.Database.OpenAsync(ct))
        {
            // The old form: each member with its allow-list; pc-3 also holds an address the peer rule refuses.
            await connection.ExecuteAsync(
                """
                INSERT INTO run_members (run_id, endpoint_id, hostname, addresses, allowed_peers) VALUES
                    (@run, 1, 'pc-1', '["198.18.0.1"]', '["198.18.0.2","198.18.0.5"]'),
                    (@run, 2, 'pc-2', '["198.18.0.2"]', '["198.18.0.1","198.18.0.5"]'),
                    (@run, 3, 'pc-3', '["198.18.0.5","127.0.0.1"]', '["198.18.0.1","198.18.0.2"]')
                """,
                new { run = run.Id });
        }

        var applied = await SqliteMigrator.MigrateAsync(db.Database, db.Time, scripts, ct);

        Assert.Contains("0010_run_peer_sets", applied);
        var set = await store.GetPeerSetAsync(run.Id, ct);
        Assert.Equal(["198.18.0.1-198.18.0.2", "198.18.0.5"], set!.Ranges.Select(r => r.ToString()));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM pragma_table_info('run_members') WHERE name = 'allowed_peers'"));
        Assert.Equal(3, (await store.GetMembersAsync(run.Id, ct)).Count);
    }

    private static async Task<double> BytesPerMemberAsync(int members)
    {
        await using var db = await TempDatabase.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        await InsertEndpointsAsync(db, members, i => $"10.{(i * 2) / 65536}.{(i * 2) / 256 % 256}.{(i * 2) % 256}");
        var store = new SqliteRunStore(db.Database);
        var run = await CreateRunAsync(db, store);
        var frozen = Enumerable.Range(1, members)
            .Select(i => new RunMemberRecord(run.Id, i, $"pc-{i:00000}.example.com", [$"10.{(i * 2) / 65536}.{(i * 2) / 256 % 256}.{(i * 2) % 256}"]))
            .ToList();

        await using var connection = await db.Database.OpenAsync(ct);
        var before = await UsedBytesAsync(connection);

        Assert.True(await store.OpenAsync(run.Id, frozen, "scheduler", db.Time.GetUtcNow(), ct));

        Assert.Equal(members, (await store.GetPeerSetAsync(run.Id, ct))!.Ranges.Count);
        return (double)(await UsedBytesAsync(connection) - before) / members;
    }

    // Pages in use (the file's pages without the free list), as this connection sees the database, WAL included.
    private static async Task<long> UsedBytesAsync(System.Data.Common.DbConnection connection)
    {
        var pages = await connection.ExecuteScalarAsync<long>("SELECT page_count - freelist_count FROM pragma_page_count, pragma_freelist_count");
        return pages * await connection.ExecuteScalarAsync<long>("PRAGMA page_size");
    }

    private static async Task InsertEndpointsAsync(TempDatabase db, int count, Func<int, string> address)
    {
        await using var connection = await db.Database.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO endpoints (id, hostname, addresses, os, tags, source, created_at, updated_at) VALUES (@id, @host, @addresses, 'windows', '[]', 'api', 0, 0)",
            Enumerable.Range(1, count).Select(i => new { id = i, host = $"pc-{i:00000}.example.com", addresses = $"[\"{address(i)}\"]" }),
            transaction);
        await transaction.CommitAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<RunRecord> CreateRunAsync(TempDatabase db, SqliteRunStore store)
    {
        var window = await db.CreateWindowAsync("site");
        var start = TempDatabase.Start;
        var (run, _) = await store.CreateAsync(
            new NewRun(window.Id, window.Definition.Name, "2027-03-09T22:00:00", RunKind.Scheduled, RunState.Opening, start, start.AddHours(4), start.AddHours(3.5), window.Definition),
            "scheduler", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
        return run;
    }
}
