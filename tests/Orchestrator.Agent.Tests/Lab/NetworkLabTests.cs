using System.Globalization;

namespace Orchestrator.Testing.Lab;

[Collection(LabSerial.Name)]
public sealed class NetworkLabTests
{
    [Fact]
    public async Task Hosts_reach_each_other_on_the_bridge_but_have_no_route_out()
    {
        LabPrerequisites.Require();
        await using var lab = await NetworkLab.CreateAsync(2);

        await PeerContent.StartServerAsync(lab, "h2", 1000);

        var fetch = await PeerContent.FetchAsync(lab, "h1", lab["h2"].Address);
        var routes = await lab.ExecAsync("h1", "ip", "route", "show", "default");

        Assert.Equal(("completed", 1000L), (fetch.Outcome, fetch.Bytes));
        Assert.Equal("", routes.StandardOutput.Trim());
        Assert.All(lab.Hosts, h => Assert.StartsWith("198.18.", h.Address.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispose_deletes_every_namespace_and_kills_started_processes_even_when_the_test_failed()
    {
        LabPrerequisites.Require();
        var lab = await NetworkLab.CreateAsync(3);
        var names = lab.Namespaces;
        var sleeper = lab.StartProcess("h2", "sleep", "600");

        var failure = await Record.ExceptionAsync(async () =>
        {
            await using (lab)
            {
                Assert.Fail("a failing test body");
            }
        });

        Assert.NotNull(failure);
        Assert.Equal(4, names.Count);
        Assert.True(sleeper.HasExited);
        var remaining = await NetworkLab.ListNamespacesAsync();
        Assert.DoesNotContain(remaining, names.Contains);
    }

    [Fact]
    public async Task The_startup_sweep_deletes_namespaces_of_dead_runs_and_spares_live_ones()
    {
        LabPrerequisites.Require();
        var prefix = "orsweep" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..2]);
        var dead = $"{prefix}-{int.MaxValue.ToString(CultureInfo.InvariantCulture)}-0000-h1";
        var live = $"{prefix}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-0000-h1";
        try
        {
            (await Commands.RunAsync("ip", ["netns", "add", dead])).EnsureSuccess("ip netns add");
            (await Commands.RunAsync("ip", ["netns", "add", live])).EnsureSuccess("ip netns add");

            await NetworkLab.SweepStaleAsync(prefix);

            var remaining = await NetworkLab.ListNamespacesAsync();
            Assert.DoesNotContain(dead, remaining);
            Assert.Contains(live, remaining);
        }
        finally
        {
            await Commands.RunAsync("ip", ["netns", "del", dead]);
            await Commands.RunAsync("ip", ["netns", "del", live]);
        }
    }
}
