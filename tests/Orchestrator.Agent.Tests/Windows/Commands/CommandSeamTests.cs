using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Windows.Commands;

namespace Orchestrator.Agent.Tests.Windows.Commands;

/// <summary>The command seam itself. The process runner has nothing Windows-specific, so it runs here for real with /bin/sh.</summary>
public sealed class CommandSeamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Scripts_that_are_not_ascii_are_refused_because_powershell_reads_stdin_in_the_oem_code_page()
    {
        var error = Assert.Throws<ArgumentException>(() => new PowerShell(@"C:\Windows\System32").Script("Write-Output 'Grüße'"));

        Assert.Contains("U+00FC", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("$env:x", "'$env:x'")]
    public void Quoted_values_are_single_quoted_literals(string value, string quoted) => Assert.Equal(quoted, PowerShell.Quote(value));

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_process_runner_writes_standard_input_and_returns_output_and_exit_code()
    {
        var result = await new ProcessCommandRunner().RunAsync(new WindowsCommand("/bin/sh", ["-c", "cat; echo oops >&2; exit 3"], "hello"), Ct);

        Assert.Equal(new CommandResult(3, "hello", "oops\n"), result);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_command_past_its_deadline_is_killed_and_reported_as_a_timeout()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutException>(() =>
            new ProcessCommandRunner().RunAsync(new WindowsCommand("/bin/sh", ["-c", "sleep 30"], null), TimeSpan.FromMilliseconds(300), TimeProvider.System, Ct));

        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_missing_program_is_unavailable_not_a_failure_exit()
    {
        await Assert.ThrowsAsync<CommandUnavailableException>(() =>
            new ProcessCommandRunner().RunAsync(new WindowsCommand("/nonexistent/powershell.exe", [], null), Ct));
    }

    [Fact]
    public async Task The_deadline_follows_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        using var host = new FakeWindowsHost
        {
            Override = async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return new CommandResult(0, "", "");
            },
        };

        var run = host.RunAsync(new WindowsCommand("x", [], null), TimeSpan.FromMinutes(2), time, Ct);
        time.Advance(TimeSpan.FromMinutes(2));

        await Assert.ThrowsAsync<TimeoutException>(() => run);
    }
}
