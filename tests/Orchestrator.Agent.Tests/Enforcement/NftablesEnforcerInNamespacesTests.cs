using System.Diagnostics;
using System.Text.RegularExpressions;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Protocol;
using Orchestrator.Testing.Lab;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>Real nft in real namespaces: h1 runs the enforcer and a content server, h2 is a group peer, h3 is not.</summary>
[Collection(LabSerial.Name)]
public sealed partial class NftablesEnforcerInNamespacesTests : IAsyncLifetime
{
    private const long Payload = 4 * 1024 * 1024;
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

    private static OpeningV1 Allow(int seconds, params LabHost[] peers) => new(1, 7680, "tcp", [.. peers.Select(p => p.Address.ToString())], seconds);

    [Fact]
    public async Task After_install_a_peer_cannot_connect_and_its_attempts_are_counted_as_blocked()
    {
        var h1 = NamespaceEnforcers.For(lab, "h1");
        await h1.InstallClosedAsync(Token);
        await PeerContent.StartServerAsync(lab, "h1", Payload);

        var fetch = await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address);

        Assert.Equal("timeout", fetch.Outcome);
        var blocked = (await h1.ReadCountersAsync(Token)).BlockedPackets;
        Assert.True(blocked.GetValueOrDefault(new BlockedKey("198.18.0.2", 7680)) >= 1, $"blocked: {string.Join(", ", blocked)}");
    }

    [Fact]
    public async Task An_allowed_peer_transfers_while_others_are_refused_and_counters_match_the_bytes_moved()
    {
        var h1 = NamespaceEnforcers.For(lab, "h1");
        var h2 = NamespaceEnforcers.For(lab, "h2");
        await h1.InstallClosedAsync(Token);
        await h2.InstallClosedAsync(Token);
        await h1.ApplyAsync([Allow(60, lab["h2"])], Token);
        await PeerContent.StartServerAsync(lab, "h1", Payload);

        var allowed = await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address);
        var stranger = await PeerContent.FetchAsync(lab, "h3", lab["h1"].Address);

        Assert.Equal(("completed", Payload), (allowed.Outcome, allowed.Bytes));
        Assert.Equal("timeout", stranger.Outcome);
        var served = (await h1.ReadCountersAsync(Token)).ServedBytes.GetValueOrDefault("198.18.0.2");
        var received = (await h2.ReadCountersAsync(Token)).ReceivedBytes.GetValueOrDefault("198.18.0.1");
        var blocked = (await h1.ReadCountersAsync(Token)).BlockedPackets;
        // Counters see IP packets, so headers add a little on top of the payload.
        Assert.InRange(served, Payload, Payload * 105 / 100);
        Assert.InRange(received, Payload, Payload * 105 / 100);
        Assert.True(blocked.GetValueOrDefault(new BlockedKey("198.18.0.3", 7680)) >= 1, $"blocked: {string.Join(", ", blocked)}");
        Assert.False(blocked.ContainsKey(new BlockedKey("198.18.0.2", 7680)));
    }

    [Fact]
    public async Task The_kernel_closes_the_port_again_within_a_second_of_expiry_without_the_agent()
    {
        var h1 = NamespaceEnforcers.For(lab, "h1");
        await h1.InstallClosedAsync(Token);
        await PeerContent.StartServerAsync(lab, "h1", 1024);
        await h1.ApplyAsync([Allow(3, lab["h2"])], Token);
        var applied = Stopwatch.StartNew();

        var whileOpen = await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address);
        var openFor = applied.Elapsed;
        Assert.Equal("completed", whileOpen.Outcome);
        Assert.True(openFor < TimeSpan.FromSeconds(3), $"the first fetch took {openFor}; the test cannot tell open from closed");

        // Nothing of the agent runs from here on: only the kernel's set timeout can close the port.
        FetchResult attempt;
        do
        {
            attempt = await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address, connectTimeoutMs: 300);
        }
        while (attempt.Connected && applied.Elapsed < TimeSpan.FromSeconds(10));

        var closedAfter = applied.Elapsed;
        Assert.Equal("timeout", attempt.Outcome);
        // Refused no later than ~1 s after expiry (plus one fetch's process start and 300 ms connect timeout).
        Assert.InRange(closedAfter, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(3 + 1 + 1.5));
    }

    [Fact]
    public async Task An_in_flight_transfer_is_cut_at_expiry()
    {
        var h1 = NamespaceEnforcers.For(lab, "h1");
        await h1.InstallClosedAsync(Token);
        // ~1.3 MB/s for 100 MB: the transfer would need over a minute, the opening lasts 3 s.
        await PeerContent.StartServerAsync(lab, "h1", 100L * 1024 * 1024, chunk: 65536, intervalMs: 50);
        await h1.ApplyAsync([Allow(3, lab["h2"])], Token);

        var fetch = await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address, idleTimeoutMs: 1500);

        Assert.Equal("stalled", fetch.Outcome);
        Assert.InRange(fetch.Bytes, 1, 100L * 1024 * 1024 - 1);
        Assert.True(fetch.Elapsed < TimeSpan.FromSeconds(8), $"stalled only after {fetch.Elapsed}");
    }

    [Fact]
    public async Task Applying_the_same_state_twice_gives_the_same_ruleset()
    {
        var h1 = NamespaceEnforcers.For(lab, "h1");
        await h1.InstallClosedAsync(Token);
        OpeningV1[] state = [Allow(600, lab["h2"], lab["h3"])];

        await h1.ApplyAsync(state, Token);
        var first = await RulesetAsync();
        await h1.ApplyAsync(state, Token);
        var second = await RulesetAsync();

        Assert.Equal(first, second);
        Assert.Contains("198.18.0.2 . 7680 timeout 10m", first, StringComparison.Ordinal);
        Assert.Contains("198.18.0.3 . 7680 timeout 10m", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Installing_again_is_idempotent_and_closes_what_was_open()
    {
        var h1 = NamespaceEnforcers.For(lab, "h1");
        await h1.InstallClosedAsync(Token);
        var closed = await RulesetAsync();
        await h1.ApplyAsync([Allow(600, lab["h2"])], Token);

        await h1.InstallClosedAsync(Token);

        Assert.Equal(closed, await RulesetAsync());
    }

    [Fact]
    public async Task A_state_with_an_invalid_address_removes_the_earlier_opening_instead_of_keeping_it()
    {
        var h1 = NamespaceEnforcers.For(lab, "h1");
        await h1.InstallClosedAsync(Token);
        await PeerContent.StartServerAsync(lab, "h1", 1024);
        await h1.ApplyAsync([Allow(600, lab["h2"])], Token);
        Assert.Equal("completed", (await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address)).Outcome);

        // Run 1 was closed now; run 2 names h3 and a scoped address, which the agent refuses: run 2 stays closed too.
        var outcome = await h1.ApplyAsync([new OpeningV1(2, 7680, "tcp", [lab["h3"].Address.ToString(), "fe80::1%4"], 600)], Token);

        Assert.Single(outcome.Refused);
        Assert.Equal("timeout", (await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address, connectTimeoutMs: 500)).Outcome);
        Assert.Equal("timeout", (await PeerContent.FetchAsync(lab, "h3", lab["h1"].Address, connectTimeoutMs: 500)).Outcome);
        Assert.DoesNotContain(" . 7680 timeout", await RulesetAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agent_touches_no_other_table()
    {
        (await lab.ExecWithInputAsync("h1", "table inet other {\n chain c {\n type filter hook input priority 0;\n tcp dport 22 accept\n }\n}\n",
            LabPrerequisites.NftPath, "-f", "-")).EnsureSuccess("nft: add table inet other");
        var h1 = NamespaceEnforcers.For(lab, "h1");

        await h1.InstallClosedAsync(Token);
        await h1.ApplyAsync([Allow(60, lab["h2"])], Token);
        await h1.InstallClosedAsync(Token);

        var other = await lab.ExecAsync("h1", LabPrerequisites.NftPath, "list", "table", "inet", "other");
        Assert.Contains("tcp dport 22 accept", other.EnsureSuccess("nft list table inet other").StandardOutput, StringComparison.Ordinal);
    }

    private async Task<string> RulesetAsync()
    {
        var listing = await lab.ExecAsync("h1", LabPrerequisites.NftPath, "list", "ruleset");
        // Remaining time differs between two listings; everything else must be identical.
        return Expires().Replace(listing.EnsureSuccess("nft list ruleset").StandardOutput, "");
    }

    [GeneratedRegex(@" expires [0-9hms]+")]
    private static partial Regex Expires();
}
