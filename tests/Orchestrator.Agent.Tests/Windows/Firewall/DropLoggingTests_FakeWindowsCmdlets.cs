using System.Text.RegularExpressions;
using System.Xml.Linq;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.Firewall;
using Orchestrator.Agent.Windows.Service;
using Orchestrator.Agent.Windows.State;

namespace Orchestrator.Agent.Tests.Windows.Firewall;

/// <summary>
/// Opt-in drop logging (Agent:Windows:LogDroppedPackets) on the fake NetSecurity cmdlets, whose Set-NetFirewallProfile
/// follows the documented parameters: on while a run is open, back to the takeover record's values at the close, by the
/// close task and by uninstall; the log (hand-written samples Windows/Samples/firewall-drops*.log, not captured on a real
/// host) becomes blocked attempts from outside the run. Verified only with fake cmdlets and these samples.
/// </summary>
public sealed partial class DropLoggingTests_FakeWindowsCmdlets : IDisposable
{
    /// <summary>The stock host, with the profiles' logging as an administrator left it: Domain already logging drops to its
    /// own file, Private at Windows' defaults, Public not configured.</summary>
    private static readonly string Inspection = WindowsBackend.StockHostJson.TrimEnd()[..^1] + """
        ,"profileLogs":[{"name":"Domain","logBlocked":"True","logFileName":"D:\\fw\\domain.log","logMaxSizeKilobytes":"8192"},{"name":"Private","logBlocked":"False","logFileName":"%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log","logMaxSizeKilobytes":"4096"},{"name":"Public","logBlocked":"NotConfigured","logFileName":"NotConfigured","logMaxSizeKilobytes":"NotConfigured"}]}
        """;

    private static readonly string[] Recorded =
    [
        @"True D:\fw\domain.log 8192",
        @"False %systemroot%\system32\LogFiles\Firewall\pfirewall.log 4096",
        @"False %windir%\system32\logfiles\firewall\pfirewall.log 4096",
    ];

    private readonly string logFile = Path.Combine(Path.GetTempPath(), "orchestrator-drops-" + Guid.NewGuid().ToString("N") + ".log");
    private readonly WindowsBackend backend;

    public DropLoggingTests_FakeWindowsCmdlets() => backend = new WindowsBackend(Inspection, new DropLog(logFile, 2048));

    public void Dispose()
    {
        backend.Dispose();
        File.Delete(logFile);
    }

    [Fact]
    public async Task Drop_logging_is_on_only_while_a_run_is_open_and_goes_back_to_the_recorded_values()
    {
        var ct = TestContext.Current.CancellationToken;
        await backend.Enforcer.InstallClosedAsync(ct);
        var before = Profiles();

        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(7, 3600, "198.18.0.3")], ct);
        var open = Profiles();
        await backend.Enforcer.ApplyAsync([], ct);

        // The closed state at start-up already puts the recorded values back (a window may have been open at a crash).
        Assert.Equal(Recorded, before);
        Assert.All(open, p => Assert.Equal($"True {logFile} 2048", p));
        Assert.Equal(Recorded, Profiles());
        Assert.NotNull(backend.Files.ReadSnapshot()!.ProfileLogs);
    }

    [Fact]
    public async Task The_close_task_puts_the_logging_back_when_the_agent_is_not_running()
    {
        var ct = TestContext.Current.CancellationToken;
        await backend.Enforcer.InstallClosedAsync(ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(7, 3600, "198.18.0.3")], ct);

        var result = backend.Host.Execute(CommandOf(Arguments(backend.Host.TaskXml("Close-Run-7-Tcp7680")!)));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Recorded, Profiles());
    }

    [Fact]
    public async Task Uninstall_puts_the_logging_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await backend.Enforcer.InstallClosedAsync(ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(7, 3600, "198.18.0.3")], ct);

        var (restored, message) = await new WindowsUninstall(
            backend.Host, new PowerShell(WindowsBackend.System32), backend.Files, TimeSpan.FromMinutes(2), backend.Time).RunAsync(ct);

        Assert.True(restored, message);
        Assert.Equal(Recorded, Profiles());
    }

    [Fact]
    public async Task Drops_on_the_guarded_port_from_outside_the_run_are_counted_once_each()
    {
        var ct = TestContext.Current.CancellationToken;
        File.Copy(Sample("firewall-drops-header.log"), logFile);
        await backend.Enforcer.InstallClosedAsync(ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(7, 3600, "198.18.0.3", "198.18.0.4")], ct);
        var deltas = new CounterDeltas();
        var first = deltas.Next(await backend.Enforcer.ReadCountersAsync(ct));

        File.AppendAllText(logFile, File.ReadAllText(Sample("firewall-drops.log")));
        // The firewall is still writing this line: it counts once it is whole.
        File.AppendAllText(logFile, "2026-03-10 22:02:00 DROP TCP 198.18.0.66 198.18.0.1 51010 7680 52 S 1010 0 64240 - - - REC");
        var second = deltas.Next(await backend.Enforcer.ReadCountersAsync(ct));
        File.AppendAllText(logFile, "EIVE\r\n");
        var third = deltas.Next(await backend.Enforcer.ReadCountersAsync(ct));
        var fourth = deltas.Next(await backend.Enforcer.ReadCountersAsync(ct));

        // The drop written before the agent read the log happened before it: not counted.
        Assert.Empty(first.BlockedPackets);
        Assert.Equal(["198.18.0.66 7680 2", "2001:db8::66 7680 1"], Rows(second));
        Assert.Equal(["198.18.0.66 7680 1"], Rows(third));
        Assert.Empty(fourth.BlockedPackets);
    }

    [Fact]
    public async Task Without_the_setting_no_profile_is_touched_and_nothing_is_read()
    {
        var ct = TestContext.Current.CancellationToken;
        using var plain = new WindowsBackend(Inspection);
        await plain.Enforcer.InstallClosedAsync(ct);
        await plain.Enforcer.ApplyAsync([WindowsBackend.Opening(7, 3600, "198.18.0.3")], ct);
        await plain.Enforcer.ApplyAsync([], ct);

        Assert.DoesNotContain(plain.Host.Calls, c => c.StartsWith("Set-NetFirewallProfile", StringComparison.Ordinal));
        Assert.DoesNotContain("Set-NetFirewallProfile", plain.Host.TaskXml("Close-Run-7-Tcp7680") ?? "", StringComparison.Ordinal);
        Assert.Same(FirewallCounters.Empty, await plain.Enforcer.ReadCountersAsync(ct));
    }

    [Fact]
    public async Task A_takeover_record_of_an_older_agent_gets_the_profiles_logging_added_once()
    {
        backend.Files.WriteSnapshot(HostSnapshot.Parse(WindowsBackend.StockHostJson));

        await backend.Enforcer.InstallClosedAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["Domain", "Private", "Public"], backend.Files.ReadSnapshot()!.ProfileLogs!.Select(p => p.Name));
        Assert.Contains(@"Set-NetFirewallProfile -Name 'Domain' -LogBlocked True -LogFileName 'D:\fw\domain.log'", File.ReadAllText(backend.Files.RestoreScriptPath), StringComparison.Ordinal);
    }

    [Fact]
    public void The_logging_commands_are_pinned() => Golden.Verify(
        "drop-log",
        DropLogScripts.Enable(@"%SystemRoot%\System32\LogFiles\Firewall\orchestrator-drops.log", 4096) + "\n" +
        DropLogScripts.Restore(HostSnapshot.Parse(Inspection)) + "\n");

    private static string[] Rows(FirewallCounters counters) =>
        counters.BlockedPackets.Select(b => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{b.Key.Source} {b.Key.Port} {b.Value}")).Order(StringComparer.Ordinal).ToArray();

    private string[] Profiles() => new[] { "Domain", "Private", "Public" }.Select(p => backend.Host.Profile(p)!).ToArray();

    private static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "Windows", "Samples", name);

    private static string Arguments(string xml) =>
        XDocument.Parse(xml).Descendants().Single(e => e.Name.LocalName == "Arguments").Value;

    /// <summary>The -Command argument as powershell.exe receives it (the double quotes are command-line quoting).</summary>
    private static string CommandOf(string arguments) => CommandArgument().Match(arguments).Groups[1].Value;

    [GeneratedRegex("^-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command \"([^\"]*)\"$")]
    private static partial Regex CommandArgument();
}
