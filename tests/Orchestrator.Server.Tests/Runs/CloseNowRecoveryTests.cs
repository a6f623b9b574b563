using Microsoft.Data.Sqlite;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Runs;

/// <summary>
/// An operator's close-now moves the run to Closing and queues its close job; the run is Closed by that job. A server
/// killed between the two (or a copy to PostgreSQL, which does not carry Hangfire's jobs) leaves a Closing run with no
/// job: the started server must finish the close, not leave the run Closing until its planned end.
/// </summary>
[Collection(ChildProcesses.OnSqlite)]
public sealed class CloseNowRecoveryTests : IDisposable
{
    private readonly TempDataFolder _data = new("orchestrator-close-now-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ARunLeftClosingWithNoCloseJobIsClosedWhenTheServerStarts()
    {
        long runId;
        await using (var first = await ServerProcess.StartAsync(_data.Path, ServerSettings.ShortWindows))
        {
            await Seed.SiteAsync(first.Client);
            var windowId = await Seed.YearlyWindowAsync(first.Client);
            runId = (long)(await first.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" }))["id"]!;
            await ApiClient.EventuallyAsync(() => Seed.RunAsync(first.Client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), "open");
            first.KillHard();
        }

        // What the close-now's first step stores; its queued close job is what the kill (or a copy) lost.
        await using (var database = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "orchestrator.db")};Pooling=False"))
        {
            await database.OpenAsync(TestContext.Current.CancellationToken);
            await using var closing = database.CreateCommand();
            closing.CommandText = "UPDATE runs SET state = 'Closing', close_reason = 'ClosedByOperator' WHERE id = $id AND state = 'Open'";
            closing.Parameters.AddWithValue("$id", runId);
            Assert.Equal(1, await closing.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }

        await using var second = await ServerProcess.StartAsync(_data.Path, ServerSettings.ShortWindows);

        var closed = await ApiClient.EventuallyAsync(
            () => Seed.RunAsync(second.Client, runId), r => (string?)r["state"] == "Closed", TimeSpan.FromSeconds(20), $"run {runId} to close; server output:\n{second.Output}");
        Assert.Equal("ClosedByOperator", (string?)closed["closeReason"]);
        Assert.True(
            DateTimeOffset.Parse((string)closed["closedAt"]!, System.Globalization.CultureInfo.InvariantCulture)
                < DateTimeOffset.Parse((string)closed["plannedEnd"]!, System.Globalization.CultureInfo.InvariantCulture),
            "closed now, not at its planned end");
        Assert.Contains("no close job was waiting", second.Output, StringComparison.Ordinal);
    }
}
