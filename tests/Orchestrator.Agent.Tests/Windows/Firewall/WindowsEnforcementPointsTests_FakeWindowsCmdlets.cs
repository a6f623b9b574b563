using System.Text.RegularExpressions;
using System.Xml.Linq;
using Orchestrator.Agent.Windows.Firewall;

namespace Orchestrator.Agent.Tests.Windows.Firewall;

/// <summary>
/// The Windows enforcement points checked against Microsoft's documentation, each executed by the PowerShell engine
/// against fake NetSecurity and ScheduledTasks cmdlets: the close task's end boundary, rules split into parts of at
/// most 1,000 remote addresses, an apply that outlives its window, and expired rules removed at start-up. Verified only
/// this way until a first run on a real Windows host (docs/windows-agent.md, checklist).
/// </summary>
public sealed partial class WindowsEnforcementPointsTests_FakeWindowsCmdlets : IDisposable
{
    private readonly WindowsBackend backend = new();

    private FakeWindowsHost Host => backend.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => backend.Dispose();

    [Fact]
    public async Task The_close_task_has_an_end_boundary_so_a_missed_start_runs_when_the_machine_is_back()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);

        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);

        var trigger = XDocument.Parse(Host.TaskXml("Close-Run-42-Tcp7680")!).Descendants().Single(e => e.Name.LocalName == "TimeTrigger");
        var start = DateTimeOffset.Parse(Value(trigger, "StartBoundary"), System.Globalization.CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse(Value(trigger, "EndBoundary"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(CloseTask.LateRunAllowance, end - start);
        Assert.Equal("true", XDocument.Parse(Host.TaskXml("Close-Run-42-Tcp7680")!).Descendants().Single(e => e.Name.LocalName == "StartWhenAvailable").Value);
    }

    [Fact]
    public async Task At_start_up_an_allow_rule_and_task_left_by_a_close_that_never_ran_are_removed()
    {
        // A laptop that was off past the close task's end boundary: the run's rule and task are still there.
        Host.AddRule("Orchestrator-Run-41-Tcp7680", "Orchestrator", "Allow", 7680, "198.18.0.9", enabled: true);
        Host.AddRule("Orchestrator-Run-41-Tcp7680-Part2", "Orchestrator", "Allow", 7680, "198.18.0.10", enabled: true);
        Host.AddRule("Orchestrator-Guard-Tcp7680-Part2", "Orchestrator", "Block", 7680, "198.18.0.11", enabled: true);
        Host.Execute("$global:Tasks['Close-Run-41-Tcp7680'] = [pscustomobject]@{ TaskName = 'Close-Run-41-Tcp7680'; TaskPath = '\\Orchestrator\\'; Xml = '<Task/>' }");

        await backend.Enforcer.InstallClosedAsync(Ct);

        Assert.Equal(["DeliveryOptimization-TCP-In", "DeliveryOptimization-UDP-In", "Orchestrator-Guard-Tcp7680"], Host.RuleNames);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
        Assert.Empty(Host.TaskNames);
    }

    [Fact]
    public async Task A_group_of_2500_peers_opens_as_allow_and_guard_rules_of_at_most_1000_addresses_that_verify_and_close()
    {
        var peers = Sparse(2_500);
        await backend.Enforcer.InstallClosedAsync(Ct);

        var outcome = await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, peers)], Ct);

        Assert.True(outcome.Complete);
        Assert.Equal(
            ["DeliveryOptimization-TCP-In", "DeliveryOptimization-UDP-In",
             "Orchestrator-Guard-Tcp7680", "Orchestrator-Guard-Tcp7680-Part2", "Orchestrator-Guard-Tcp7680-Part3",
             "Orchestrator-Run-42-Tcp7680", "Orchestrator-Run-42-Tcp7680-Part2", "Orchestrator-Run-42-Tcp7680-Part3"],
            Host.RuleNames);
        var allowed = Host.RuleNames.Where(n => n.StartsWith("Orchestrator-Run-", StringComparison.Ordinal)).Select(Addresses).ToList();
        Assert.All(allowed.Concat(Host.RuleNames.Where(n => n.StartsWith("Orchestrator-Guard-", StringComparison.Ordinal)).Select(Addresses)),
            list => Assert.InRange(list.Count, 1, 1_000));
        Assert.Equal(peers.Order(), allowed.SelectMany(a => a).Order());
        Assert.Null(await backend.Enforcer.VerifyAsync(Ct));

        await backend.Enforcer.ApplyAsync([], Ct);

        Assert.Equal(["DeliveryOptimization-TCP-In", "DeliveryOptimization-UDP-In", "Orchestrator-Guard-Tcp7680"], Host.RuleNames);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
    }

    [Fact]
    public async Task Fail_safe_the_close_task_removes_every_part_of_a_split_run_and_of_the_guard()
    {
        var peers = Sparse(1_200);
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, peers)], Ct);
        Assert.Contains("Orchestrator-Run-42-Tcp7680-Part2", Host.RuleNames);

        var result = Host.Execute(CommandOf(Arguments(Host.TaskXml("Close-Run-42-Tcp7680")!)));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["DeliveryOptimization-TCP-In", "DeliveryOptimization-UDP-In", "Orchestrator-Guard-Tcp7680"], Host.RuleNames);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
    }

    [Fact]
    public async Task A_guard_going_from_several_parts_to_one_refuses_everyone_before_any_part_changes()
    {
        var peers = Sparse(1_200);
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, peers)], Ct);
        Host.ClearCalls();

        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3000, "198.18.10.1")], Ct);

        var calls = Host.Calls.ToList();
        var firstGuardWrite = calls.IndexOf("Set-NetFirewallRule Orchestrator-Guard-Tcp7680");
        var partRemoved = calls.IndexOf("Remove-NetFirewallRule Orchestrator-Guard-Tcp7680-Part2");
        Assert.InRange(firstGuardWrite, 0, partRemoved);
        Assert.DoesNotContain("Orchestrator-Guard-Tcp7680-Part2", Host.RuleNames);
        Assert.Equal("Allow 7680 True 198.18.10.1", Host.Rule("Orchestrator-Run-42-Tcp7680"));
        Assert.DoesNotContain("Orchestrator-Run-42-Tcp7680-Part2", Host.RuleNames);
    }

    [Fact]
    public async Task An_apply_that_outlives_the_window_registers_no_close_in_the_past_and_opens_nothing()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        // The endpoint reaches the run's commands 70 s after the agent built the script; the window had 60 s left.
        backend.ScriptDelay = TimeSpan.FromSeconds(70);

        var outcome = await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 60, "198.18.0.2")], Ct);

        Assert.False(outcome.Complete);
        Assert.Contains("run 42 port 7680: its window ended", Assert.Single(outcome.Refused), StringComparison.Ordinal);
        Assert.Empty(Host.TaskNames);
        Assert.Null(Host.Rule("Orchestrator-Run-42-Tcp7680"));
    }

    [Fact]
    public async Task An_apply_within_the_window_opens_as_before()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        backend.ScriptDelay = TimeSpan.FromSeconds(50);

        var outcome = await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 60, "198.18.0.2")], Ct);

        Assert.True(outcome.Complete);
        Assert.Equal(["Close-Run-42-Tcp7680"], Host.TaskNames);
        Assert.Equal("Allow 7680 True 198.18.0.2", Host.Rule("Orchestrator-Run-42-Tcp7680"));
    }

    /// <summary>Every other address, so that the guard (the complement) needs one range per peer, plus one.</summary>
    private static string[] Sparse(int count) => Enumerable.Range(0, count).Select(i => $"198.18.{10 + (i / 120)}.{((i % 120) * 2) + 1}").ToArray();

    private IReadOnlyList<string> Addresses(string rule) => Host.Rule(rule)!.Split(' ')[3].Split(',');

    private static string Value(XElement parent, string name) => parent.Elements().Single(e => e.Name.LocalName == name).Value;

    private static string Arguments(string xml) =>
        XDocument.Parse(xml).Descendants().Single(e => e.Name.LocalName == "Arguments").Value;

    private static string CommandOf(string arguments) => CommandArgument().Match(arguments).Groups[1].Value;

    [GeneratedRegex("^-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command \"([^\"]*)\"$")]
    private static partial Regex CommandArgument();
}
