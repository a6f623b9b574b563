using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Postgres;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Cluster;

/// <summary>
/// Start-up recovery of scan dispatch on PostgreSQL, where nodes share Hangfire's jobs: a node that starts while
/// another one runs a run's dispatch job leaves that job alone (requeuing it would hand it to a second worker and scan
/// the run's members twice as fast as its limit allows).
/// </summary>
[Collection(ChildProcesses.OnPostgres)]
public sealed class NodeStartScanDispatchTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task ANodeStartingWhileAnotherDispatchesARunsScansQueuesNothingAndTheDispatchGoesOn()
    {
        var settings = TwoNodes.Settings(await postgres.CreateDatabaseAsync("dispatch_start", TestContext.Current.CancellationToken));
        settings["Orchestrator__ScanWaveInterval"] = "00:00:01";
        await using var a = await ServerProcess.StartAsync(settings: settings);
        var run = await ScanningRun.StartAsync(a.Client, members: 3, "scanning-on-two-nodes", duration: "PT10M");
        var agents = run.AgentsOn(a.Client);
        var held = await ScanningRun.OneHeldScanAsync(agents);

        await using var b = await ServerProcess.StartAsync(settings: settings);
        await ApiClient.EventuallyAsync(
            () => Task.FromResult(b.Output),
            output => output.Contains("Scan dispatch of 1 open run(s) checked at start-up", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            "node B's start-up check of the run's scan dispatch");
        Assert.Contains("0 job(s) requeued, 0 queued anew", b.Output, StringComparison.Ordinal);

        // Through node B too: the one dispatch job (on node A) hands out the next scans, one at a time.
        var next = await ScanningRun.FinishAndGetNextAsync(agents, held);
        await ScanningRun.FinishAndGetNextAsync(run.AgentsOn(b.Client), next);
    }
}
