using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Scans;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Scans;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ScanRunnerTests : IDisposable
{
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-agent-scan-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    private IOptions<AgentOptions> Options(string command) =>
        Microsoft.Extensions.Options.Options.Create(new AgentOptions { ServerUrl = "http://x", StateDirectory = stateDirectory, ScanCommand = command });

    private async Task<ScanOutcomeV1> RunAsync(string command, int timeoutSeconds = 60)
    {
        var options = Options(command);
        var runner = new ScanRunner(options, new ScanQueue(options), new AgentStatus(), TimeProvider.System, NullLogger<ScanRunner>.Instance);
        return await runner.RunAsync(new ScanRequestV1("scan-1", 1, timeoutSeconds), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_scan_that_exits_zero_succeeded() =>
        Assert.Equal(("Succeeded", (int?)0), ((await RunAsync("true")).Outcome, (await RunAsync("true")).ExitCode));

    [Fact]
    public async Task A_scan_that_exits_non_zero_failed_with_its_exit_code()
    {
        var outcome = await RunAsync("exit 7");

        Assert.Equal(("Failed", (int?)7), (outcome.Outcome, outcome.ExitCode));
    }

    [Fact]
    public async Task A_scan_over_its_timeout_is_killed_and_timed_out()
    {
        var outcome = await RunAsync("sleep 30", timeoutSeconds: 1);

        Assert.Equal("TimedOut", outcome.Outcome);
        Assert.InRange(outcome.DurationMs, 900, 10_000);
    }

    [Fact]
    public void A_scan_id_runs_once_even_across_restarts()
    {
        var request = new ScanRequestV1("scan-42", 1, 60);

        Assert.True(new ScanQueue(Options("true")).Enqueue(request));
        Assert.False(new ScanQueue(Options("true")).Enqueue(request));
    }
}
