using System.Net;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.DeliveryOptimization;
using Orchestrator.Agent.Windows.Firewall;
using Orchestrator.Agent.Windows.Scans;
using Orchestrator.Agent.Windows.State;

namespace Orchestrator.Agent.Tests.Windows;

/// <summary>
/// Golden text of every command and script the Windows backend runs (Windows/Golden/*.golden). On Windows this is
/// verified only by these tests: they pin what would run, not that Windows accepts it.
/// </summary>
public sealed class WindowsCommandGoldenTests_WindowsVerifiedOnlyByTheseTests
{
    private static readonly PowerShell Shell = new(WindowsBackend.System32);

    private static DateTimeOffset BerlinEvening()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 21, 0, 0, TimeSpan.Zero));
        time.SetLocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        return time.GetLocalNow();
    }

    [Fact]
    public void Every_script_runs_as_windows_powershell_by_absolute_path_reading_the_script_from_standard_input() =>
        Golden.Verify("powershell-command-line", Shell.Script("Write-Output 'x'\n").ToString());

    [Fact]
    public void Host_inspection() => Golden.Verify("inspect", HostScripts.Inspect());

    [Fact]
    public void Install_closed() => Golden.Verify("install-closed", FirewallScripts.InstallClosed([7680]));

    [Fact]
    public void Open_one_run_to_ipv4_and_ipv6_peers_after_install()
    {
        var run = new RunOpening(42, 7680, [IPAddress.Parse("198.18.0.2"), IPAddress.Parse("198.18.0.3"), IPAddress.Parse("2001:db8::7")], 3600);

        Golden.Verify("apply-open", FirewallScripts.Apply([run], new Dictionary<int, IReadOnlySet<IPAddress>>(), [7680], BerlinEvening(), Shell.Executable));
    }

    [Fact]
    public void Close_every_run_after_one_was_open()
    {
        var previous = new Dictionary<int, IReadOnlySet<IPAddress>> { [7680] = new HashSet<IPAddress> { IPAddress.Parse("198.18.0.2") } };

        Golden.Verify("apply-close", FirewallScripts.Apply([], previous, [7680], BerlinEvening(), Shell.Executable));
    }

    [Fact]
    public void The_scheduled_removal_task()
    {
        var run = new RunOpening(42, 7680, [IPAddress.Parse("198.18.0.2")], 3600);

        Golden.Verify("close-task", CloseTask.Xml(run, BerlinEvening(), Shell.Executable));
    }

    [Theory]
    [InlineData("HttpOnly", null)]
    [InlineData("Lan", null)]
    [InlineData("Group", "{6F1C2A3B-4D5E-4F60-8A9B-0C1D2E3F4A5B}")]
    public void Delivery_optimization_policy(string mode, string? groupId) =>
        Golden.Verify("do-policy-" + mode.ToLowerInvariant(), DeliveryOptimizationScripts.Apply(new(mode, groupId)));

    [Fact]
    public void Delivery_optimization_statistics() =>
        Golden.Verify("do-statistics", string.Join(
            "=====\n", DeliveryOptimizationScripts.Status, DeliveryOptimizationScripts.PeerInfo, DeliveryOptimizationScripts.Connections));

    [Fact]
    public void Restore_of_a_stock_host() =>
        Golden.Verify("restore-stock", HostScripts.Restore(HostSnapshot.Parse(WindowsBackend.StockHostJson)));

    [Theory]
    [InlineData(WindowsScanMethod.WindowsUpdateAgent)]
    [InlineData(WindowsScanMethod.UsoClient)]
    [InlineData(WindowsScanMethod.ConfigurationManager)]
    public void Scan_command(WindowsScanMethod method) =>
        Golden.Verify("scan-" + method.ToString().ToLowerInvariant(), WindowsScanCommands.For(method, WindowsBackend.System32, Shell).ToString());
}
