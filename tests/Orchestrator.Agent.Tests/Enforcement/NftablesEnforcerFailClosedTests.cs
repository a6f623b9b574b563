using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Identity;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>What the Linux enforcer hands to nft when a desired state cannot be applied as given: it fails closed.</summary>
public sealed class NftablesEnforcerFailClosedTests : IDisposable
{
    private readonly RecordingNftRunner nft = new();
    private readonly FakeTimeProvider time = new();
    private readonly NftablesEnforcer enforcer;

    public NftablesEnforcerFailClosedTests() =>
        enforcer = new NftablesEnforcer(nft, [7680], new LocalAddresses(["198.18.0.1"]), time, NullLogger<NftablesEnforcer>.Instance);

    public void Dispose() => enforcer.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_scoped_address_in_one_opening_still_removes_the_closed_runs_opening_and_applies_the_valid_runs()
    {
        await enforcer.InstallClosedAsync(Token);
        await enforcer.ApplyAsync([new OpeningV1(1, 7680, "tcp", ["198.18.0.2"], 600)], Token);

        // Run 1 was closed now (its opening is gone from the state); run 2 carries a scoped address; run 3 is fine.
        var outcome = await enforcer.ApplyAsync(
            [new OpeningV1(2, 7680, "tcp", ["198.18.0.4", "fe80::1%4"], 600), new OpeningV1(3, 7680, "tcp", ["198.18.0.3"], 600)], Token);

        Assert.Equal(
            "flush set inet orchestrator allowed4\nflush set inet orchestrator allowed6\n" +
            "add element inet orchestrator allowed4 { 198.18.0.3 . 7680 timeout 600s }\n",
            nft.Batches[^1]);
        Assert.Equal(1, outcome.Applied);
        Assert.Contains(outcome.Refused, r => r.Contains("run 2", StringComparison.Ordinal) && r.Contains("fe80::1%4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_every_opening_is_refused_the_closed_state_is_applied()
    {
        await enforcer.InstallClosedAsync(Token);
        await enforcer.ApplyAsync([new OpeningV1(1, 7680, "tcp", ["198.18.0.2"], 600)], Token);

        var outcome = await enforcer.ApplyAsync([new OpeningV1(1, 7680, "tcp", ["198.18.0.2", "0.0.0.0/0"], 600)], Token);

        Assert.Equal("flush set inet orchestrator allowed4\nflush set inet orchestrator allowed6\n", nft.Batches[^1]);
        Assert.Equal(0, outcome.Applied);
        Assert.Single(outcome.Refused);
    }

    [Fact]
    public async Task An_nft_failure_removes_every_opening_and_is_reported()
    {
        await enforcer.InstallClosedAsync(Token);
        await enforcer.ApplyAsync([new OpeningV1(1, 7680, "tcp", ["198.18.0.2"], 600)], Token);
        nft.FailBatch = batch => batch.Contains("198.18.0.3", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            enforcer.ApplyAsync([new OpeningV1(2, 7680, "tcp", ["198.18.0.3"], 600)], Token));

        Assert.Equal("flush set inet orchestrator allowed4\nflush set inet orchestrator allowed6\n", nft.Batches[^1]);
        Assert.Contains("closed state", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_even_emptying_the_sets_fails_the_table_is_installed_closed_again()
    {
        await enforcer.InstallClosedAsync(Token);
        await enforcer.ApplyAsync([new OpeningV1(1, 7680, "tcp", ["198.18.0.2"], 600)], Token);
        nft.FailBatch = batch => batch.StartsWith("flush set", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            enforcer.ApplyAsync([new OpeningV1(2, 7680, "tcp", ["198.18.0.3"], 600)], Token));

        Assert.Equal(NftBatches.InstallClosed([7680]), nft.Batches[^1]);
        Assert.Contains("re-installed in the closed state", error.Message, StringComparison.Ordinal);
    }
}
