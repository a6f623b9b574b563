namespace Orchestrator.Agent.Tests.Windows.Firewall;

/// <summary>
/// The start-up inspection's findings that weaken enforcement (hand-written sample of the inspection's JSON:
/// BlockAllInboundTraffic, DefaultInboundAction, Group Policy allow rules for 7680) travel with every apply as notes,
/// so the endpoint is flagged in reports instead of silently trusted. Verified only with these samples until a real host.
/// </summary>
public sealed class WindowsEndpointFindingsTests_FakeWindowsCmdlets
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Block_all_inbound_default_allow_and_a_policy_rule_for_7680_flag_every_apply()
    {
        var sample = WindowsBackend.StockHostJson
            .Replace(
                """{"name":"Public","enabled":"True","allowLocalFirewallRules":"NotConfigured"}""",
                """{"name":"Public","enabled":"True","allowLocalFirewallRules":"NotConfigured","blockAllInbound":"True","defaultInboundAction":"Block"}""",
                StringComparison.Ordinal)
            .Replace(
                """{"name":"Domain","enabled":"True","allowLocalFirewallRules":"NotConfigured"}""",
                """{"name":"Domain","enabled":"True","allowLocalFirewallRules":"NotConfigured","blockAllInbound":"False","defaultInboundAction":"Allow"}""",
                StringComparison.Ordinal)
            .Replace("]}", "],\"policyRules\":[\"{8A1B2C3D-GPO-DO-TCP-In}\"]}", StringComparison.Ordinal);
        using var backend = new WindowsBackend(sample);
        await backend.Enforcer.InstallClosedAsync(Ct);

        var outcome = await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);

        Assert.True(outcome.Complete);
        Assert.NotNull(outcome.Notes);
        Assert.Collection(
            outcome.Notes,
            n => Assert.Contains("Domain profile allows inbound connections by default (DefaultInboundAction Allow)", n, StringComparison.Ordinal),
            n => Assert.Contains("Public profile blocks all incoming connections (BlockAllInboundTraffic)", n, StringComparison.Ordinal),
            n => Assert.Contains("{8A1B2C3D-GPO-DO-TCP-In}", n, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stock_host_is_not_flagged()
    {
        using var backend = new WindowsBackend();
        await backend.Enforcer.InstallClosedAsync(Ct);

        var outcome = await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);

        Assert.Null(outcome.Notes);
    }
}
