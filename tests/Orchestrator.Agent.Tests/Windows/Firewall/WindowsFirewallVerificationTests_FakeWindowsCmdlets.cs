using System.Xml.Linq;

namespace Orchestrator.Agent.Tests.Windows.Firewall;

/// <summary>
/// The Windows enforcer's periodic verification (a Group Policy refresh or an administrator can remove or change our
/// rules), against the fake NetSecurity and ScheduledTasks cmdlets of <see cref="FakeWindowsHost"/>: this proves the
/// scripts' logic, not real Windows (see docs/windows-agent.md, first real host checklist).
/// </summary>
public sealed class WindowsFirewallVerificationTests_FakeWindowsCmdlets : IDisposable
{
    private readonly WindowsBackend backend = new();

    private FakeWindowsHost Host => backend.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => backend.Dispose();

    [Fact]
    public async Task Intact_rules_are_left_alone()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);
        Host.ClearCalls();

        var repair = await backend.Enforcer.VerifyAsync(Ct);

        Assert.Null(repair);
        Assert.Empty(Host.Calls);
    }

    [Fact]
    public async Task Removed_rules_outside_a_window_come_back_closed()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        Host.RemoveOurRules();

        var repair = await backend.Enforcer.VerifyAsync(Ct);

        Assert.Equal("guard rule Orchestrator-Guard-Tcp7680 is missing", repair?.Finding);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
    }

    [Fact]
    public async Task Removed_rules_inside_a_window_come_back_with_the_remaining_time()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);
        var guard = Host.Rule("Orchestrator-Guard-Tcp7680");
        backend.Time.Advance(TimeSpan.FromMinutes(10));
        Host.RemoveOurRules();

        var repair = await backend.Enforcer.VerifyAsync(Ct);

        Assert.Equal(1, repair?.OpeningsRestored);
        Assert.Equal(guard, Host.Rule("Orchestrator-Guard-Tcp7680"));
        Assert.Equal("Allow 7680 True 198.18.0.2", Host.Rule("Orchestrator-Run-42-Tcp7680"));
        // Applied at 22:00 Berlin for 3600 s, repaired at 22:10: the removal stays at 23:00, not 23:10.
        Assert.Equal("2026-03-10T23:00:00+01:00", StartBoundary(Host.TaskXml("Close-Run-42-Tcp7680")!));
    }

    [Fact]
    public async Task A_guard_turned_into_an_allow_rule_is_repaired()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        Host.Execute("$global:Rules['Orchestrator-Guard-Tcp7680'].Action = 'Allow'");

        var repair = await backend.Enforcer.VerifyAsync(Ct);

        Assert.Equal("guard rule Orchestrator-Guard-Tcp7680 was changed (now Allow, enabled True)", repair?.Finding);
        Assert.Equal("Block 7680 True Any", Host.Rule("Orchestrator-Guard-Tcp7680"));
    }

    [Fact]
    public async Task A_stray_rule_in_our_group_is_removed()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        Host.AddRule("Orchestrator-Run-99-Tcp7680", "Orchestrator", "Allow", 7680, "Any", enabled: true);

        var repair = await backend.Enforcer.VerifyAsync(Ct);

        Assert.Equal("rule Orchestrator-Run-99-Tcp7680 exists but the agent did not install it", repair?.Finding);
        Assert.Null(Host.Rule("Orchestrator-Run-99-Tcp7680"));
    }

    private static string StartBoundary(string xml) =>
        XDocument.Parse(xml).Descendants().Single(e => e.Name.LocalName == "StartBoundary").Value;
}
