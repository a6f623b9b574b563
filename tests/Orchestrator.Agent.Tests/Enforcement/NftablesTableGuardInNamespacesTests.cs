using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Polling;
using Orchestrator.Protocol;
using Orchestrator.Testing.Lab;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>Real nft in real namespaces: someone else flushes the ruleset or deletes the agent's table on h1; the guard
/// (nft monitor + verification) puts it back within a second. h2 is a group peer, h3 is not.</summary>
[Collection(LabSerial.Name)]
public sealed class NftablesTableGuardInNamespacesTests : IAsyncLifetime
{
    private NetworkLab lab = null!;

    public async ValueTask InitializeAsync()
    {
        LabPrerequisites.Require();
        lab = await NetworkLab.CreateAsync(3);
    }

    public async ValueTask DisposeAsync()
    {
        if (lab is not null)
        {
            await lab.DisposeAsync();
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_flushed_ruleset_inside_a_window_comes_back_within_a_second_with_the_remaining_time()
    {
        using var h1 = NamespaceEnforcers.For(lab, "h1");
        await h1.InstallClosedAsync(Token);
        await PeerContent.StartServerAsync(lab, "h1", 1024);
        await h1.ApplyAsync([new OpeningV1(1, 7680, "tcp", [lab["h2"].Address.ToString()], 600)], Token);
        var status = new AgentStatus();
        using var guard = await StartGuardAsync(h1, status);
        await Task.Delay(300, Token);

        (await lab.ExecAsync("h1", LabPrerequisites.NftPath, "flush", "ruleset")).EnsureSuccess("nft flush ruleset");
        var repairedAfter = await WaitForTableAsync();

        Assert.True(repairedAfter < TimeSpan.FromSeconds(1), $"table back only after {repairedAfter}");
        Assert.Equal("timeout", (await PeerContent.FetchAsync(lab, "h3", lab["h1"].Address, connectTimeoutMs: 500)).Outcome);
        Assert.Equal("completed", (await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address)).Outcome);
        var listing = (await lab.ExecAsync("h1", LabPrerequisites.NftPath, "list", "set", "inet", "orchestrator", "allowed4")).EnsureSuccess("nft list set").StandardOutput;
        // Re-added with what was left (< 600 s), not a fresh 10 minutes.
        Assert.Matches(@"198\.18\.0\.2 \. 7680 timeout 9m5\d s", listing.Replace("s expires", " s expires", StringComparison.Ordinal));
        await guard.StopAsync(Token);
        Assert.Equal(1, Assert.Single(status.Take().Repairs!).OpeningsRestored);
    }

    [Fact]
    public async Task A_deleted_table_outside_a_window_is_closed_again_within_a_second()
    {
        using var h1 = NamespaceEnforcers.For(lab, "h1");
        await h1.InstallClosedAsync(Token);
        await PeerContent.StartServerAsync(lab, "h1", 1024);
        using var guard = await StartGuardAsync(h1, new AgentStatus());
        await Task.Delay(300, Token);

        (await lab.ExecAsync("h1", LabPrerequisites.NftPath, "delete", "table", "inet", "orchestrator")).EnsureSuccess("nft delete table");
        var repairedAfter = await WaitForTableAsync();

        Assert.True(repairedAfter < TimeSpan.FromSeconds(1), $"table back only after {repairedAfter}");
        Assert.Equal("timeout", (await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address, connectTimeoutMs: 500)).Outcome);
        await guard.StopAsync(Token);
    }

    /// <summary>A guard whose periodic check is 10 minutes away: within the test, only nft monitor's event can trigger it.</summary>
    private static async Task<FirewallGuard> StartGuardAsync(NftablesEnforcer enforcer, AgentStatus status)
    {
        var options = Options.Create(new AgentOptions { FirewallVerifyInterval = TimeSpan.FromMinutes(10) });
        var guard = new FirewallGuard(enforcer, status, options, TimeProvider.System, NullLogger<FirewallGuard>.Instance);
        await guard.StartAsync(Token);
        return guard;
    }

    private async Task<TimeSpan> WaitForTableAsync()
    {
        var since = Stopwatch.StartNew();
        while (since.Elapsed < TimeSpan.FromSeconds(10))
        {
            var listing = await lab.ExecAsync("h1", LabPrerequisites.NftPath, "list", "chain", "inet", "orchestrator", "input");
            if (listing.ExitCode == 0 && listing.StandardOutput.Contains("drop", StringComparison.Ordinal))
            {
                return since.Elapsed;
            }

            await Task.Delay(20, Token);
        }

        return since.Elapsed;
    }
}
