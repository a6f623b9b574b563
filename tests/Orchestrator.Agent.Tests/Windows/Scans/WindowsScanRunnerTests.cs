using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.Scans;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Windows.Scans;

/// <summary>Scan outcomes on Windows, with the command answered by a fake runner. On Windows this is verified only by
/// these tests (the commands themselves are pinned in the golden tests).</summary>
public sealed class WindowsScanRunnerTests_WindowsVerifiedOnlyByTheseTests : IDisposable
{
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-winscan-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider time = new();
    private readonly FakeWindowsHost host = new();

    public void Dispose()
    {
        host.Dispose();
        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    private WindowsScanRunner Runner(WindowsScanMethod method = WindowsScanMethod.WindowsUpdateAgent)
    {
        var options = Options.Create(new AgentOptions { ServerUrl = "http://x", StateDirectory = stateDirectory, ScanTimeout = TimeSpan.FromMinutes(30) });
        var command = WindowsScanCommands.For(method, WindowsBackend.System32, new PowerShell(WindowsBackend.System32));
        return new WindowsScanRunner(host, command, options.Value.ScanTimeout, new ScanQueue(options), new AgentStatus(), time, NullLogger<WindowsScanRunner>.Instance);
    }

    [Fact]
    public async Task Exit_zero_is_succeeded_with_its_duration()
    {
        host.Override = (_, _) =>
        {
            time.Advance(TimeSpan.FromSeconds(42));
            return Task.FromResult(new CommandResult(0, "ResultCode=2 Updates=3", ""));
        };

        var outcome = await Runner().RunAsync(new ScanRequestV1("scan-1", 7, 600), TestContext.Current.CancellationToken);

        Assert.Equal(new ScanOutcomeV1("scan-1", "Succeeded", 0, 42_000), outcome);
    }

    [Fact]
    public async Task A_search_that_failed_reports_failed_with_the_result_code_as_exit_code()
    {
        host.Override = (_, _) => Task.FromResult(new CommandResult(4, "ResultCode=4 Updates=0", ""));

        var outcome = await Runner().RunAsync(new ScanRequestV1("scan-1", 7, 600), TestContext.Current.CancellationToken);

        Assert.Equal(("Failed", (int?)4), (outcome.Outcome, outcome.ExitCode));
    }

    [Fact]
    public async Task A_scan_past_the_requests_timeout_is_killed_and_timed_out()
    {
        var started = new TaskCompletionSource();
        host.Override = async (_, token) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return new CommandResult(0, "", "");
        };

        var scan = Runner().RunAsync(new ScanRequestV1("scan-1", 7, 60), TestContext.Current.CancellationToken);
        await started.Task;
        time.Advance(TimeSpan.FromSeconds(61));
        var outcome = await scan;

        Assert.Equal(new ScanOutcomeV1("scan-1", "TimedOut", null, 61_000), outcome);
    }

    [Fact]
    public async Task A_program_that_cannot_start_is_failed_without_exit_code()
    {
        host.Override = (command, _) => throw new CommandUnavailableException("missing", new FileNotFoundException(command.FileName));

        var outcome = await Runner(WindowsScanMethod.UsoClient).RunAsync(new ScanRequestV1("scan-1", 7, 60), TestContext.Current.CancellationToken);

        Assert.Equal(("Failed", (int?)null), (outcome.Outcome, outcome.ExitCode));
        Assert.Equal(@"C:\Windows\System32\UsoClient.exe", host.Commands.Single().FileName);
    }
}
