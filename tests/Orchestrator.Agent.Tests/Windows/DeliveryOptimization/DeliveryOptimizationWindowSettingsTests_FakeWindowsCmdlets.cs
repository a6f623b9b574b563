using System.Text.RegularExpressions;
using System.Xml.Linq;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Windows.State;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Windows.DeliveryOptimization;

/// <summary>
/// A window's Delivery Optimization settings on Windows: written at open, the recorded values back at close and by the
/// close task with the agent gone, the download mode read back (DoSvc restarted when it did not apply). Executed by the
/// PowerShell engine against fake registry, Get-DOConfig and Restart-Service cmdlets; verified only this way until a
/// first run on a real Windows host.
/// </summary>
public sealed partial class DeliveryOptimizationWindowSettingsTests_FakeWindowsCmdlets : IDisposable
{
    /// <summary>A host whose Group Policy already set DOMinRAMAllowedToPeer 8 and DORestrictPeerSelectionBy 1 (subnet).</summary>
    private static readonly string TunedHostJson = WindowsBackend.StockHostJson.Replace(
        """{"name":"DOGroupIdSource","exists":false,"kind":null,"value":null}""",
        """{"name":"DOGroupIdSource","exists":false,"kind":null,"value":null},{"name":"DOMinRAMAllowedToPeer","exists":true,"kind":"DWord","value":"8"},{"name":"DORestrictPeerSelectionBy","exists":true,"kind":"DWord","value":"1"}""",
        StringComparison.Ordinal).Replace("\"policyKeyExisted\":false", "\"policyKeyExisted\":true", StringComparison.Ordinal);

    private static readonly DeliveryOptimizationV1 LanWindow = new(
        PeeringModeV1.Lan, null,
        new DeliveryOptimizationSettingsV1(MaxBackgroundBandwidthPercent: 50, MinRamToPeerGB: 2, RestrictPeerSelectionBy: PeerSelectionV1.None));

    private readonly WindowsBackend backend = new(TunedHostJson);

    private FakeWindowsHost Host => backend.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => backend.Dispose();

    [Fact]
    public async Task The_window_settings_are_written_at_open_and_the_recorded_values_come_back_at_close()
    {
        Host.SetPolicy(("DOMinRAMAllowedToPeer", "DWord:8"), ("DORestrictPeerSelectionBy", "DWord:1"));
        await backend.Enforcer.InstallClosedAsync(Ct);

        await backend.Policy.ApplyAsync(LanWindow, Ct);

        Assert.Equal(
            ["DODownloadMode=DWord:1", "DOMinRAMAllowedToPeer=DWord:2", "DOPercentageMaxBackgroundBandwidth=DWord:50", "DORestrictPeerSelectionBy=DWord:0"],
            Host.Policy);

        await backend.Policy.ApplyAsync(new(PeeringModeV1.HttpOnly, null), Ct);

        Assert.Equal(["DODownloadMode=DWord:0", "DOMinRAMAllowedToPeer=DWord:8", "DORestrictPeerSelectionBy=DWord:1"], Host.Policy);
    }

    [Fact]
    public async Task Fail_safe_the_close_task_puts_the_recorded_values_back_with_the_agent_gone()
    {
        Host.SetPolicy(("DOMinRAMAllowedToPeer", "DWord:8"), ("DORestrictPeerSelectionBy", "DWord:1"));
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);
        await backend.Policy.ApplyAsync(LanWindow, Ct);

        var result = Host.Execute(CommandOf(Arguments(Host.TaskXml("Close-Run-42-Tcp7680")!)));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["DODownloadMode=DWord:1", "DOMinRAMAllowedToPeer=DWord:8", "DORestrictPeerSelectionBy=DWord:1"], Host.Policy);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
    }

    [Fact]
    public async Task The_takeover_record_holds_DORestrictPeerSelectionBy_and_restore_puts_it_back()
    {
        Host.SetPolicy(("DOMinRAMAllowedToPeer", "DWord:8"), ("DORestrictPeerSelectionBy", "DWord:1"));
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Policy.ApplyAsync(LanWindow, Ct);

        var recorded = backend.Files.ReadSnapshot()!;
        Host.Execute(File.ReadAllText(backend.Files.RestoreScriptPath));

        Assert.Contains(new PolicyValueState("DORestrictPeerSelectionBy", true, "DWord", "1"), recorded.PolicyValues);
        Assert.Contains("'DORestrictPeerSelectionBy'", HostScripts.Inspect(), StringComparison.Ordinal);
        Assert.Equal(["DOMinRAMAllowedToPeer=DWord:8", "DORestrictPeerSelectionBy=DWord:1"], Host.Policy);
    }

    [Fact]
    public async Task A_record_from_an_older_agent_gains_the_values_it_lacked_as_they_are_before_any_change()
    {
        Host.SetPolicy(("DORestrictPeerSelectionBy", "DWord:1"));
        backend.Files.WriteSnapshot(HostSnapshot.Parse(WindowsBackend.StockHostJson));

        await backend.Enforcer.InstallClosedAsync(Ct);

        var recorded = backend.Files.ReadSnapshot()!;
        Assert.Contains(new PolicyValueState("DORestrictPeerSelectionBy", true, "DWord", "1"), recorded.PolicyValues);
        Assert.Contains("-Name 'DORestrictPeerSelectionBy' -PropertyType DWord -Value '1'", File.ReadAllText(backend.Files.RestoreScriptPath), StringComparison.Ordinal);
        Assert.Contains("DORestrictPeerSelectionBy=DWord:1", Host.Policy!);
    }

    [Fact]
    public async Task A_download_mode_Delivery_Optimization_did_not_take_restarts_DoSvc_once()
    {
        Host.Execute("$global:DoNeedsRestart = $true; $global:DoLiveMode = '0'");

        await backend.Policy.ApplyAsync(LanWindow, Ct);

        Assert.Contains("Restart-Service DoSvc", Host.Calls);
    }

    [Fact]
    public async Task A_download_mode_taken_at_once_restarts_nothing()
    {
        await backend.Policy.ApplyAsync(LanWindow, Ct);

        Assert.DoesNotContain("Restart-Service DoSvc", Host.Calls);
    }

    [Fact]
    public async Task A_download_mode_still_wrong_after_the_restart_is_an_error()
    {
        Host.Execute("function global:Restart-Service { param([string] $Name, [switch] $Force) $global:Calls.Add(\"Restart-Service $Name\") }; $global:DoNeedsRestart = $true; $global:DoLiveMode = '0'");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => backend.Policy.ApplyAsync(LanWindow, Ct));

        Assert.Contains("reports download mode 0 after the policy write and a DoSvc restart; expected 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bandwidth_cap_above_2_to_the_31_is_written_as_the_same_DWORD_bits()
    {
        await backend.Policy.ApplyAsync(
            new(PeeringModeV1.Lan, null, new DeliveryOptimizationSettingsV1(MaxForegroundBandwidthKBps: 4_294_967_295)), Ct);

        Assert.Contains("DOMaxForegroundDownloadBandwidth=DWord:-1", Host.Policy!);
    }

    [Fact]
    public async Task Linux_accepts_the_settings_and_reports_them_as_not_applicable()
    {
        var note = await new NoPeeringPolicy().ApplyAsync(LanWindow, Ct);
        var none = await new NoPeeringPolicy().ApplyAsync(new(PeeringModeV1.Lan, null), Ct);

        Assert.Equal(NoPeeringPolicy.NotApplicable, note);
        Assert.Null(none);
    }

    private static string Arguments(string xml) =>
        XDocument.Parse(xml).Descendants().Single(e => e.Name.LocalName == "Arguments").Value;

    private static string CommandOf(string arguments) => CommandArgument().Match(arguments).Groups[1].Value;

    [GeneratedRegex("^-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command \"([^\"]*)\"$")]
    private static partial Regex CommandArgument();
}
