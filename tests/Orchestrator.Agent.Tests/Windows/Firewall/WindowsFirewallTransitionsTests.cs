using System.Text.RegularExpressions;
using System.Xml.Linq;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Windows.Firewall;

namespace Orchestrator.Agent.Tests.Windows.Firewall;

/// <summary>
/// Open → close → fail-safe, with the generated scripts executed by the PowerShell engine against fake Windows
/// Firewall and Task Scheduler cmdlets (<see cref="FakeWindowsHost"/>). On Windows this is verified only by these tests:
/// they prove the scripts' logic and ordering, not the real cmdlets.
/// </summary>
public sealed partial class WindowsFirewallTransitionsTests_WindowsVerifiedOnlyByTheseTests : IDisposable
{
    private readonly WindowsBackend backend = new();

    private FakeWindowsHost Host => backend.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => backend.Dispose();

    [Fact]
    public async Task Closed_state_refuses_7680_to_everyone_and_disables_the_built_in_rules()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);

        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
        Assert.Equal("Allow 7680 False LocalSubnet", Host.Rule("DeliveryOptimization-TCP-In"));
        Assert.Equal("Allow 7680 False LocalSubnet", Host.Rule("DeliveryOptimization-UDP-In"));
        Assert.Empty(Host.TaskNames);
        Assert.Equal(["DODownloadMode=DWord:0"], Host.Policy);
    }

    [Fact]
    public async Task Opening_adds_one_rule_scoped_to_the_peers_and_its_removal_task_and_narrows_the_guard()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);

        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.3", "198.18.0.2")], Ct);

        Assert.Equal(
            ["DeliveryOptimization-TCP-In", "DeliveryOptimization-UDP-In", "Orchestrator-Guard-Tcp7680", "Orchestrator-Run-42-Tcp7680"],
            Host.RuleNames);
        Assert.Equal("Allow 7680 True 198.18.0.2,198.18.0.3", Host.Rule("Orchestrator-Run-42-Tcp7680"));
        Assert.Equal(
            "Block 7680 True 0.0.0.0-198.18.0.1,198.18.0.4-255.255.255.255,::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            Host.Rule("Orchestrator-Guard-Tcp7680"));
        Assert.Equal(["Close-Run-42-Tcp7680"], Host.TaskNames);
        // 21:00Z + 3600 s = 22:00Z = 23:00 in Berlin (CET, +01:00): the endpoint's local clock at apply time.
        Assert.Equal("2026-03-10T23:00:00+01:00", StartBoundary(Host.TaskXml("Close-Run-42-Tcp7680")!));
    }

    [Fact]
    public async Task The_removal_task_is_registered_before_the_rule_exists_and_the_guard_widens_last()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        Host.ClearCalls();

        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);

        // No narrowing step: after install the guard is known to refuse everyone already.
        Assert.Equal(
            [
                "Register-ScheduledTask Close-Run-42-Tcp7680",
                "New-NetFirewallRule Orchestrator-Run-42-Tcp7680",
                "Set-NetFirewallRule Orchestrator-Guard-Tcp7680",
            ],
            Host.Calls);
    }

    [Fact]
    public async Task Closing_resets_the_guard_to_everyone_refused_first_then_removes_the_rule_and_its_task()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);
        Host.ClearCalls();

        await backend.Enforcer.ApplyAsync([], Ct);

        Assert.Equal(
            [
                "Set-NetFirewallRule Orchestrator-Guard-Tcp7680",
                "Remove-NetFirewallRule Orchestrator-Run-42-Tcp7680",
                "Unregister-ScheduledTask Close-Run-42-Tcp7680",
                "Set-NetFirewallRule Orchestrator-Guard-Tcp7680",
            ],
            Host.Calls);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
        Assert.Null(Host.Rule("Orchestrator-Run-42-Tcp7680"));
        Assert.Empty(Host.TaskNames);
    }

    [Fact]
    public async Task Fail_safe_the_tasks_own_command_closes_the_port_with_the_agent_gone()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2", "198.18.0.3")], Ct);
        var commandsBefore = Host.Commands.Count;

        // The agent is gone: nothing runs but what Task Scheduler starts at the trigger time.
        var (program, arguments) = Action(Host.TaskXml("Close-Run-42-Tcp7680")!);
        Assert.Equal(WindowsBackend.PowerShellExe, program);
        var result = Host.Execute(CommandOf(arguments));

        Assert.Equal(0, result.ExitCode);
        Assert.Null(Host.Rule("Orchestrator-Run-42-Tcp7680"));
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
        Assert.Empty(Host.TaskNames);
        Assert.Equal(commandsBefore, Host.Commands.Count);
    }

    [Fact]
    public async Task Fail_safe_an_ended_run_keeps_the_guard_open_only_for_a_run_still_open()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync(
            [WindowsBackend.Opening(42, 600, "198.18.0.2"), WindowsBackend.Opening(43, 3600, "198.18.0.3")], Ct);

        Host.Execute(CommandOf(Action(Host.TaskXml("Close-Run-42-Tcp7680")!).Arguments));

        Assert.Null(Host.Rule("Orchestrator-Run-42-Tcp7680"));
        Assert.Equal("Allow 7680 True 198.18.0.3", Host.Rule("Orchestrator-Run-43-Tcp7680"));
        Assert.Equal(["Close-Run-43-Tcp7680"], Host.TaskNames);

        Host.Execute(CommandOf(Action(Host.TaskXml("Close-Run-43-Tcp7680")!).Arguments));

        Assert.Equal(["DeliveryOptimization-TCP-In", "DeliveryOptimization-UDP-In", "Orchestrator-Guard-Tcp7680"], Host.RuleNames);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
        Assert.Empty(Host.TaskNames);
    }

    [Fact]
    public async Task Fail_safe_a_task_that_fires_after_the_agent_already_closed_changes_nothing()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);
        var command = CommandOf(Action(Host.TaskXml("Close-Run-42-Tcp7680")!).Arguments);
        await backend.Enforcer.ApplyAsync([], Ct);

        var result = Host.Execute(command);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
    }

    [Fact]
    public async Task The_same_state_twice_runs_the_same_script_and_leaves_the_same_firewall()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        var state = new[] { WindowsBackend.Opening(42, 3600, "198.18.0.2", "2001:db8::7") };

        await backend.Enforcer.ApplyAsync(state, Ct);
        var firstScript = Host.Scripts[^1];
        var firstRules = Host.RuleNames.Select(n => n + " " + Host.Rule(n)).ToList();
        var firstTask = Host.TaskXml("Close-Run-42-Tcp7680");
        await backend.Enforcer.ApplyAsync(state, Ct);

        Assert.Equal(firstScript, Host.Scripts[^1]);
        Assert.Equal(firstRules, Host.RuleNames.Select(n => n + " " + Host.Rule(n)).ToList());
        Assert.Equal(firstTask, Host.TaskXml("Close-Run-42-Tcp7680"));
    }

    [Fact]
    public async Task A_changed_peer_list_narrows_the_guard_to_the_peers_in_both_before_changing_the_rule()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2", "198.18.0.3")], Ct);

        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3000, "198.18.0.3", "198.18.0.4")], Ct);

        var script = Host.Scripts[^1];
        var narrow = script.IndexOf("Set-OrchestratorGuard 7680 @('0.0.0.0-198.18.0.2,198.18.0.4-255.255.255.255,", StringComparison.Ordinal);
        var rule = script.IndexOf("Set-OrchestratorRule 'Orchestrator-Run-42-Tcp7680'", StringComparison.Ordinal);
        Assert.InRange(narrow, 0, rule);
        Assert.Equal("Allow 7680 True 198.18.0.3,198.18.0.4", Host.Rule("Orchestrator-Run-42-Tcp7680"));
    }

    [Fact]
    public async Task An_unsafe_opening_is_left_out_and_the_earlier_opening_of_its_run_does_not_stay()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);

        var outcome = await backend.Enforcer.ApplyAsync(
            [WindowsBackend.Opening(42, 3600, "198.18.0.2", "fe80::1%4"), WindowsBackend.Opening(43, 3600, "198.18.0.3")], Ct);

        Assert.Contains("fe80::1%4", Assert.Single(outcome.Refused), StringComparison.Ordinal);
        Assert.Null(Host.Rule("Orchestrator-Run-42-Tcp7680"));
        Assert.Equal(["Close-Run-43-Tcp7680"], Host.TaskNames);
        Assert.Equal("Allow 7680 True 198.18.0.3", Host.Rule("Orchestrator-Run-43-Tcp7680"));
        Assert.DoesNotContain("198.18.0.2", Host.Rule("Orchestrator-Guard-Tcp7680")!.Split(' ')[3].Split(','));
    }

    [Fact]
    public async Task A_failed_apply_falls_back_to_the_closed_state()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);
        Host.Override = (command, _) => Task.FromResult(command.StandardInput!.Contains("# 1. Narrow", StringComparison.Ordinal)
            ? new Orchestrator.Agent.Windows.Commands.CommandResult(1, "", "Access is denied.")
            : Host.Execute(command.StandardInput));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            backend.Enforcer.ApplyAsync([WindowsBackend.Opening(43, 3000, "198.18.0.3")], Ct));

        Assert.Contains("closed state was applied instead", error.Message, StringComparison.Ordinal);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
        Assert.Null(Host.Rule("Orchestrator-Run-42-Tcp7680"));
        Assert.Empty(Host.TaskNames);
    }

    [Fact]
    public async Task A_failed_apply_is_reported_and_the_next_apply_narrows_from_everyone_refused()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);
        Host.Override = (_, _) => Task.FromResult(new Orchestrator.Agent.Windows.Commands.CommandResult(1, "", "Access is denied."));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3000, "198.18.0.2")], Ct));
        Host.Override = null;
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3000, "198.18.0.2")], Ct);

        Assert.Contains("Access is denied.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Set-OrchestratorGuard 7680 @('Any')", Host.Scripts[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_whose_firewall_is_off_is_refused_before_anything_changes()
    {
        using var off = new WindowsBackend(WindowsBackend.StockHostJson.Replace(
            "{\"name\":\"Public\",\"enabled\":\"True\"", "{\"name\":\"Public\",\"enabled\":\"False\"", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<FirewallUnavailableException>(() => off.Enforcer.InstallClosedAsync(Ct));

        Assert.Contains("Windows Firewall is off for the Public profile", error.Message, StringComparison.Ordinal);
        Assert.Single(off.Host.Commands);
        Assert.False(File.Exists(off.Files.SnapshotPath));
    }

    [Fact]
    public async Task The_pre_agent_state_is_recorded_once_and_restore_puts_it_back()
    {
        Host.SetPolicy(("DODownloadMode", "DWord:1"));
        var found = WindowsBackend.StockHostJson
            .Replace("\"policyKeyExisted\":false", "\"policyKeyExisted\":true", StringComparison.Ordinal)
            .Replace("{\"name\":\"DODownloadMode\",\"exists\":false,\"kind\":null,\"value\":null}",
                "{\"name\":\"DODownloadMode\",\"exists\":true,\"kind\":\"DWord\",\"value\":\"1\"}", StringComparison.Ordinal);
        Host.Answer(Orchestrator.Agent.Windows.State.HostScripts.Inspect(), new(0, found, ""));
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);
        await backend.Policy.ApplyAsync(new("Group", "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b"), Ct);
        // A restart must not record the agent's own changes as "before".
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3500, "198.18.0.2")], Ct);

        var restore = Host.Execute(File.ReadAllText(backend.Files.RestoreScriptPath));

        Assert.Equal(0, restore.ExitCode);
        Assert.Equal(["DeliveryOptimization-TCP-In", "DeliveryOptimization-UDP-In"], Host.RuleNames);
        Assert.Equal("Allow 7680 True LocalSubnet", Host.Rule("DeliveryOptimization-TCP-In"));
        Assert.Equal("Allow 7680 True LocalSubnet", Host.Rule("DeliveryOptimization-UDP-In"));
        Assert.Empty(Host.TaskNames);
        Assert.Equal(["DODownloadMode=DWord:1"], Host.Policy);
    }

    [Fact]
    public async Task Restore_removes_the_policy_key_when_there_was_none()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);

        Host.Execute(File.ReadAllText(backend.Files.RestoreScriptPath));

        Assert.Null(Host.Policy);
    }

    private static string StartBoundary(string xml) =>
        XDocument.Parse(xml).Descendants().Single(e => e.Name.LocalName == "StartBoundary").Value;

    private static (string Program, string Arguments) Action(string xml)
    {
        var exec = XDocument.Parse(xml).Descendants().Single(e => e.Name.LocalName == "Exec");
        return (exec.Elements().Single(e => e.Name.LocalName == "Command").Value, exec.Elements().Single(e => e.Name.LocalName == "Arguments").Value);
    }

    /// <summary>The -Command argument as powershell.exe receives it (the double quotes are command-line quoting).</summary>
    private static string CommandOf(string arguments) => CommandArgument().Match(arguments).Groups[1].Value;

    [GeneratedRegex("^-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command \"([^\"]*)\"$")]
    private static partial Regex CommandArgument();
}
