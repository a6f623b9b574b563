using Npgsql;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Postgres;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.StorageCopy;

/// <summary>
/// A copy taken while a run with scans is open: Hangfire's jobs (hangfire.db) are not copied, so on PostgreSQL nothing
/// holds the run's scan dispatch job. The first start on PostgreSQL must give the run a new one, or its remaining
/// members are never asked to scan.
/// </summary>
public sealed class CopyWithAnOpenRunTests(PostgresClusterFixture postgres) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("orchestrator-copy-open-run-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [Fact]
    public async Task ScansGoOnOnPostgresAfterACopyTakenWhileARunWasScanning()
    {
        var connection = await postgres.CreateDatabaseAsync("copy_open_run", TestContext.Current.CancellationToken);
        ScanningRun run;
        await using (var sqlite = await ServerProcess.StartAsync(_data, SqliteInstallation.Settings))
        {
            // One member holds its scan; the other waits for the next wave, which only a dispatch job hands out.
            run = await ScanningRun.StartAsync(sqlite.Client, members: 2, "copied-while-scanning", duration: "PT10M");
            await ScanningRun.OneHeldScanAsync(run.AgentsOn(sqlite.Client));
            sqlite.KillHard();
        }

        var (exit, output) = await ServerProcess.RunCommandAsync(_data, null, ["storage", "copy-to-postgres", "--connection", connection]);
        Assert.True(exit == 0, output);

        await using var server = await ServerProcess.StartAsync(_data, new Dictionary<string, string>(SqliteInstallation.Settings, StringComparer.Ordinal)
        {
            ["Orchestrator__Storage"] = "postgres",
            ["Orchestrator__PostgresConnectionString"] = connection,
        });
        var agents = run.AgentsOn(server.Client);
        Assert.Equal("Open", (string?)(await Seed.RunAsync(server.Client, run.RunId))["state"]);

        var next = await ScanningRun.FinishAndGetNextAsync(agents, await ScanningRun.OneHeldScanAsync(agents));
        await ScanningRun.FinishAsync(next);

        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM orchestrator.scans WHERE run_id = @run AND outcome = 'Succeeded'", database);
        count.Parameters.AddWithValue("run", run.RunId);
        Assert.Equal(2L, (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        Assert.Contains("no scan dispatch job was waiting", server.Output, StringComparison.Ordinal);
    }
}
