using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>The run's one dispatch job survives a SIGKILL of the server: after the restart the waves go on.</summary>
[Collection(ChildProcesses.OnSqlite)]
public sealed class ScanDispatchRestartTests : IDisposable
{
    private readonly TempDataFolder _data = new("orchestrator-dispatch-restart-");

    private static readonly Dictionary<string, string> Settings = new(ServerSettings.ShortWindows, StringComparer.Ordinal)
    {
        ["Orchestrator__ScanWaveInterval"] = "00:00:01",
    };

    public void Dispose() => _data.Dispose();

    /// <summary>A killed server leaves the running dispatch job "Processing" in Hangfire's SQLite storage, which hands it
    /// out again only after its 30-minute invisibility timeout: start-up requeues it, so scanning goes on at once.</summary>
    [Fact]
    public async Task ScansGoOnAfterTheServerIsKilledInTheMiddleOfARunsDispatch()
    {
        ScanningRun run;
        await using (var first = await ServerProcess.StartAsync(_data.Path, Settings))
        {
            run = await ScanningRun.StartAsync(first.Client, members: 3, "restart-scans", duration: "PT2M");
            var agents = run.AgentsOn(first.Client);
            await ScanningRun.FinishAndGetNextAsync(agents, await ScanningRun.OneHeldScanAsync(agents));
            first.KillHard();
        }

        await using var second = await ServerProcess.StartAsync(_data.Path, Settings);
        var again = run.AgentsOn(second.Client);
        Assert.Equal("Open", (string?)(await Seed.RunAsync(second.Client, run.RunId))["state"]);

        // The scan held at the kill is reported now; the third member's scan must follow within a few waves.
        var last = await ScanningRun.FinishAndGetNextAsync(again, await ScanningRun.OneHeldScanAsync(again));
        await ScanningRun.FinishAsync(last);

        var tables = new Api.ProductTables(_data.Path);
        Assert.Equal(3, await tables.CountAsync("scans", $"run_id = {run.RunId} AND outcome = 'Succeeded'"));
        Assert.Contains("its scan dispatch job", second.Output, StringComparison.Ordinal);
    }
}
