using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Polling;

namespace Orchestrator.Agent.Tests.Polling;

/// <summary>What the agent tells the server about applies and repairs always fits the server's limits: a report the
/// server refuses would be retried forever and block every later report.</summary>
public sealed class AgentStatusTests
{
    [Fact]
    public void A_failed_apply_drops_the_applied_version_and_a_long_error_is_cut_to_the_servers_limit()
    {
        var status = new AgentStatus();
        status.Applied(3);
        status.Take();

        status.ApplyFailed(4, string.Join("; ", Enumerable.Range(0, 500).Select(i => $"opening of run {i}: peer 'fe80::1%4' refused")));

        var snapshot = status.Take();
        Assert.Null(snapshot.AppliedVersion);
        Assert.True(snapshot.ApplyChanged);
        Assert.Equal(AgentStatus.MaxApplyErrorLength, snapshot.ApplyError!.Length);
        Assert.StartsWith("version 4: ", snapshot.ApplyError, StringComparison.Ordinal);
    }

    [Fact]
    public void Repairs_are_reported_once_bounded_in_number_and_without_control_characters()
    {
        var status = new AgentStatus();
        for (var i = 0; i < AgentStatus.MaxPendingRepairs + 5; i++)
        {
            status.Repaired(new FirewallRepair($"repair {i}\n" + new string('x', 600), i));
        }

        var repairs = status.Take().Repairs!;

        Assert.Equal(AgentStatus.MaxPendingRepairs, repairs.Count);
        Assert.Equal(5, repairs[0].OpeningsRestored);
        Assert.All(repairs, r => Assert.True(r.Finding.Length <= AgentStatus.MaxFindingLength && !r.Finding.Any(char.IsControl), r.Finding));
        Assert.Empty(status.Take().Repairs!);
    }
}
