using Microsoft.Data.Sqlite;
using Npgsql;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Hooks;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Notifications;
using Orchestrator.Testing.Postgres;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.StorageCopy;

/// <summary>
/// A copy taken while a run needs a Hangfire job: Hangfire's jobs (hangfire.db) are not copied, so on PostgreSQL nothing
/// holds the job. The first start on PostgreSQL must queue it anew: a run with scans open at the copy needs its scan
/// dispatch job, or its remaining members are never asked to scan; a run waiting for its pre-open hook needs its hook
/// job, or it stays Opening until its window is missed; a run closed within its close confirmation grace needs its
/// settling job, or its members' close states stay unknown; a run closed shortly before needs its report snapshot job,
/// or the final report's critical-anomaly alert is never sent; a webhook delivery waiting for its retry needs its job, or
/// the event never reaches its receiver.
/// </summary>
[Collection(ChildProcesses.OnPostgres)]
public sealed class CopyWithAnOpenRunTests(PostgresClusterFixture postgres) : IDisposable
{
    private readonly TempDataFolder _data = new("orchestrator-copy-open-run-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ScansGoOnOnPostgresAfterACopyTakenWhileARunWasScanning()
    {
        var connection = await postgres.CreateDatabaseAsync("copy_open_run", TestContext.Current.CancellationToken);
        ScanningRun run;
        await using (var sqlite = await ServerProcess.StartAsync(_data.Path, SqliteInstallation.Settings))
        {
            // One member holds its scan; the other waits for the next wave, which only a dispatch job hands out.
            run = await ScanningRun.StartAsync(sqlite.Client, members: 2, "copied-while-scanning", duration: "PT10M");
            await ScanningRun.OneHeldScanAsync(run.AgentsOn(sqlite.Client));
            sqlite.KillHard();
        }

        await using var server = await CopyAndStartOnPostgresAsync(connection);
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

    [Fact]
    public async Task APreOpenHookIsAskedOnPostgresAfterACopyTakenWhileARunWaitedForIt()
    {
        var connection = await postgres.CreateDatabaseAsync("copy_hook_run", TestContext.Current.CancellationToken);
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        // The first question is never answered (the server dies waiting); the next one says go.
        receiver.Answer = (_, n, ct) => n == 1 ? Receiver.HangAsync(ct) : Task.FromResult((200, """{"go": true}"""));
        long runId;
        await using (var sqlite = await ServerProcess.StartAsync(_data.Path, SqliteInstallation.Settings))
        {
            await Seed.SiteAsync(sqlite.Client);
            var windowId = await HookedWindow.CreateAsync(sqlite.Client, receiver.Url("/pre"), timeout: "PT2M");
            runId = (long)(await sqlite.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" }))["id"]!;
            await ApiClient.EventuallyAsync(() => Task.FromResult(receiver.Calls.Count), n => n == 1, TimeSpan.FromSeconds(20), "the hook to be asked");
            sqlite.KillHard();
        }

        await using var server = await CopyAndStartOnPostgresAsync(connection);

        await ApiClient.EventuallyAsync(
            () => Seed.RunAsync(server.Client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), $"run {runId} to open; server output:\n{server.Output}");
        Assert.Equal(2, receiver.Calls.Count);
        Assert.Contains("no pre-open hook job was waiting", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APostCloseHookIsCalledOnPostgresAfterACopyTakenWhileItsCallWasUnderWay()
    {
        var connection = await postgres.CreateDatabaseAsync("copy_post_close", TestContext.Current.CancellationToken);
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        HookedWindow.HangTheFirstPostCloseCall(receiver);
        long runId;
        await using (var sqlite = await ServerProcess.StartAsync(_data.Path, SqliteInstallation.Settings))
        {
            await Seed.SiteAsync(sqlite.Client);
            var windowId = await HookedWindow.CreateAsync(sqlite.Client, receiver.Url("/pre"), postClose: receiver.Url("/post"));
            runId = (long)(await sqlite.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" }))["id"]!;
            await ApiClient.EventuallyAsync(() => Seed.RunAsync(sqlite.Client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), "open");
            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await sqlite.Client.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/close")).Status);
            await ApiClient.EventuallyAsync(
                () => Task.FromResult(receiver.Calls.Count(c => c.Path == "/post")), n => n == 1, TimeSpan.FromSeconds(20), "the post-close hook to be called");
            sqlite.KillHard();
        }

        await using var server = await CopyAndStartOnPostgresAsync(connection);

        await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.Count(c => c.Path == "/post")), n => n == 2, TimeSpan.FromSeconds(20), $"the post-close hook to be called again; server output:\n{server.Output}");
        Assert.Contains("no post-close hook job was waiting", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFinalReportsCriticalAlertIsSentOnPostgresAfterACopyTakenBeforeTheReportWasFinal()
    {
        var connection = await postgres.CreateDatabaseAsync("copy_report_alert", TestContext.Current.CancellationToken);
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        long runId;
        await using (var sqlite = await ServerProcess.StartAsync(_data.Path, SqliteInstallation.Settings))
        {
            // No member has an agent: the run's final report says "nothing happened", a critical anomaly. The report is
            // final LateReportGrace + CloseConfirmationGrace (20 s) after the close; the server is killed before that.
            await Seed.SiteAsync(sqlite.Client);
            var windowId = await Seed.YearlyWindowAsync(sqlite.Client);
            await Webhooks.RegisterAsync(sqlite.Client, receiver.Url(), ["run.criticalAnomaly"]);
            runId = (long)(await sqlite.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" }))["id"]!;
            await ApiClient.EventuallyAsync(() => Seed.RunAsync(sqlite.Client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), "open");
            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await sqlite.Client.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/close")).Status);
            await ApiClient.EventuallyAsync(() => Seed.RunAsync(sqlite.Client, runId), r => (string?)r["state"] == "Closed", TimeSpan.FromSeconds(20), "closed");
            sqlite.KillHard();
        }

        Assert.Empty(receiver.Calls);
        await using var server = await CopyAndStartOnPostgresAsync(connection);

        var call = await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.FirstOrDefault()), c => c is not null, TimeSpan.FromSeconds(40), $"the critical anomaly alert; server output:\n{server.Output}");
        Assert.Equal("run.criticalAnomaly", call!.Event);
        Assert.Equal(runId, (long)System.Text.Json.Nodes.JsonNode.Parse(call.Body)!["runId"]!);
        Assert.Contains("no report snapshot job was waiting", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWebhookDeliveryWaitingForItsRetryIsMadeOnPostgresAfterACopyUnderItsOwnId()
    {
        var connection = await postgres.CreateDatabaseAsync("copy_delivery", TestContext.Current.CancellationToken);
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        receiver.Answer = (_, n, _) => Task.FromResult(n == 1 ? (503, "busy") : (200, ""));
        var retryAfterTheKill = new Dictionary<string, string>(SqliteInstallation.Settings, StringComparer.Ordinal)
        {
            ["Orchestrator__Notifications__FirstRetryDelay"] = "00:05:00",
        };
        string deliveryId;
        await using (var sqlite = await ServerProcess.StartAsync(_data.Path, retryAfterTheKill))
        {
            var webhookId = await Webhooks.RegisterAsync(sqlite.Client, receiver.Url(), ["*"]);
            var (status, queued) = await sqlite.Client.PostAsync($"/api/v1/webhooks/{webhookId}/test", new { });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, status);
            deliveryId = (string)queued!["deliveryId"]!;
            await ApiClient.EventuallyAsync(() => Task.FromResult(receiver.Calls.Count), n => n == 1, TimeSpan.FromSeconds(20), "the first attempt");
            sqlite.KillHard();
        }

        await using var server = await CopyAndStartOnPostgresAsync(connection);

        await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.Count), n => n == 2, TimeSpan.FromSeconds(30), $"the delivery to be made; server output:\n{server.Output}");
        Assert.All(receiver.Calls, c => Assert.Equal(deliveryId, c.Delivery));
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));
        Assert.Contains("had no job; it is queued again", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloseStatesAreSettledOnPostgresAfterACopyTakenWithinARunsCloseConfirmationGrace()
    {
        var connection = await postgres.CreateDatabaseAsync("copy_closed_run", TestContext.Current.CancellationToken);
        long runId;
        var graceOutlastingTheKill = new Dictionary<string, string>(SqliteInstallation.Settings, StringComparer.Ordinal)
        {
            ["Orchestrator__CloseConfirmationGrace"] = "00:02:00",
        };
        await using (var sqlite = await ServerProcess.StartAsync(_data.Path, graceOutlastingTheKill))
        {
            await Seed.SiteAsync(sqlite.Client);
            var windowId = await Seed.YearlyWindowAsync(sqlite.Client);
            runId = (long)(await sqlite.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" }))["id"]!;
            await ApiClient.EventuallyAsync(() => Seed.RunAsync(sqlite.Client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), "open");
            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await sqlite.Client.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/close")).Status);
            await ApiClient.EventuallyAsync(() => Seed.RunAsync(sqlite.Client, runId), r => (string?)r["state"] == "Closed", TimeSpan.FromSeconds(20), "closed");
            sqlite.KillHard();
        }

        Assert.Equal(3L, await UnsettledAsync(new SqliteConnection($"Data Source={Path.Combine(_data.Path, "orchestrator.db")};Mode=ReadOnly;Pooling=False"), runId));
        // The grace on PostgreSQL (5 s here) has passed since the close: the members are settled at once.
        await using var server = await CopyAndStartOnPostgresAsync(connection);

        await ApiClient.EventuallyAsync(
            () => UnsettledAsync(new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { SearchPath = "orchestrator", Pooling = false }.ConnectionString), runId),
            n => n == 0,
            TimeSpan.FromSeconds(20),
            $"run {runId}'s members to be settled; server output:\n{server.Output}");
        Assert.Contains("no close-state settling job was waiting", server.Output, StringComparison.Ordinal);
    }

    /// <summary>Copies the killed SQLite server's data into <paramref name="connection"/> and starts a server there.</summary>
    private async Task<ServerProcess> CopyAndStartOnPostgresAsync(string connection)
    {
        var (exit, output) = await ServerProcess.RunCommandAsync(_data.Path, null, ["storage", "copy-to-postgres", "--connection", connection]);
        Assert.True(exit == 0, output);
        return await ServerProcess.StartAsync(_data.Path, new Dictionary<string, string>(SqliteInstallation.Settings, StringComparer.Ordinal)
        {
            ["Orchestrator__Storage"] = "postgres",
            ["Orchestrator__PostgresConnectionString"] = connection,
        });
    }

    /// <summary>The run's members whose close state is not settled.</summary>
    private static async Task<long> UnsettledAsync(System.Data.Common.DbConnection database, long runId)
    {
        await using (database)
        {
            await database.OpenAsync(TestContext.Current.CancellationToken);
            await using var count = database.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM run_members WHERE run_id = {runId} AND close_state IS NULL";
            return Convert.ToInt64(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
