using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Server;
using Orchestrator.Agent.Tests.Enforcement;
using Orchestrator.Agent.Tests.Server;
using Orchestrator.Core.Enforcement;
using Orchestrator.Protocol;
using Orchestrator.Testing.Lab;

namespace Orchestrator.Agent.Tests.Polling;

/// <summary>
/// The range path end to end at the agent: a real HTTP server answers a state that names a peer set, the production
/// poller fetches it (gzip, real HTTP), the production enforcer installs it with real nft in a lab namespace, and real
/// TCP connections from the other lab hosts show who gets in. Five hosts, 198.18.0.1-5.
/// </summary>
[Collection(LabSerial.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PeerSetPollingInNamespacesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Connect = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(500);
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-agent-peerset-" + Guid.NewGuid().ToString("N"));
    private NetworkLab lab = null!;
    private StubAgentServer server = null!;

    public async ValueTask InitializeAsync()
    {
        LabPrerequisites.Require();
        lab = await NetworkLab.CreateAsync(5);
        server = StubAgentServer.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        if (lab is not null)
        {
            await lab.DisposeAsync();
        }

        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Non_contiguous_members_connect_while_a_non_member_inside_their_range_stays_blocked_until_the_kernel_closes_the_port()
    {
        // Members h1, h2, h3, h5; h4 (198.18.0.4) is not a member although it lies between them. h1 runs the agent.
        var (agent, status, store) = await StartAgentAsync("h1");
        var reference = Publish(4, "198.18.0.1-198.18.0.3", "198.18.0.5");
        server.State = State(1, reference with { Except = ["198.18.0.1"] }, seconds: 8);

        await agent.ExchangeAsync(Token);

        Assert.Contains(server.Requests, r => r.StartsWith(AgentProtocolV1.StatePath, StringComparison.Ordinal) && r.Contains("features=peer-sets", StringComparison.Ordinal));
        Assert.Equal(1, status.Take().AppliedVersion);
        Assert.Equal([("198.18.0.2-198.18.0.3", 7680), ("198.18.0.5", 7680)], await InstalledAsync("h1"));
        Assert.Equal("completed", (await FetchAsync("h2", "h1")).Outcome);
        Assert.Equal("completed", (await FetchAsync("h3", "h1")).Outcome);
        Assert.Equal("completed", (await FetchAsync("h5", "h1")).Outcome);
        Assert.Equal("timeout", (await FetchAsync("h4", "h1")).Outcome);

        // Another run's change (a new state version naming the same set) fetches nothing: the agent holds the set.
        server.State = State(2, reference with { Except = ["198.18.0.1"] }, seconds: 4) with { Scans = [new ScanRequestV1("s-1", 2, 60)] };
        await agent.ExchangeAsync(Token);
        var applied = TimeProvider.System.GetTimestamp();
        Assert.Equal(2, status.Take().AppliedVersion);
        Assert.Equal(1, server.SetFetches);
        Assert.Equal(1, store.Count);

        // The kernel closes the port at the opening's end; the agent does nothing meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(4) - TimeProvider.System.GetElapsedTime(applied) + TimeSpan.FromMilliseconds(1100), Token);
        Assert.Equal("timeout", (await FetchAsync("h2", "h1")).Outcome);
        Assert.Equal("timeout", (await FetchAsync("h5", "h1")).Outcome);
    }

    [Fact]
    public async Task Contiguous_members_are_one_range_split_only_by_the_agents_own_address_and_the_next_address_stays_blocked()
    {
        // Members h1-h4 form one range; h2 runs the agent; h5 (198.18.0.5) is the next address and not a member.
        var (agent, status, _) = await StartAgentAsync("h2");
        var reference = Publish(4, "198.18.0.1-198.18.0.4");
        server.State = State(1, reference, seconds: 60);

        await agent.ExchangeAsync(Token);

        Assert.Equal(1, status.Take().AppliedVersion);
        Assert.Equal([("198.18.0.1", 7680), ("198.18.0.3-198.18.0.4", 7680)], await InstalledAsync("h2"));
        Assert.Equal("completed", (await FetchAsync("h1", "h2")).Outcome);
        Assert.Equal("completed", (await FetchAsync("h4", "h2")).Outcome);
        Assert.Equal("timeout", (await FetchAsync("h5", "h2")).Outcome);
    }

    [Fact]
    public async Task A_set_that_cannot_be_fetched_leaves_its_run_closed_reports_why_and_is_fetched_on_the_next_poll()
    {
        var (agent, status, _) = await StartAgentAsync("h1");
        var reference = Publish(2, "198.18.0.2-198.18.0.3");
        server.State = State(1, reference, seconds: 60);
        server.FailSetFetches = 1;

        await Assert.ThrowsAsync<HttpRequestException>(() => agent.ExchangeAsync(Token));

        var failed = status.Take();
        Assert.Null(failed.AppliedVersion);
        Assert.Contains("could not be fetched", failed.ApplyError, StringComparison.Ordinal);
        Assert.Empty(await InstalledAsync("h1"));
        Assert.Equal(0, agent.HeldVersion);
        Assert.Equal("timeout", (await FetchAsync("h2", "h1")).Outcome);

        await agent.ExchangeAsync(Token);

        Assert.Equal(1, status.Take().AppliedVersion);
        Assert.Equal([("198.18.0.2-198.18.0.3", 7680)], await InstalledAsync("h1"));
        Assert.Equal("completed", (await FetchAsync("h2", "h1")).Outcome);
    }

    [Fact]
    public async Task A_set_the_server_widened_is_refused_and_its_run_stays_closed_while_another_run_applies()
    {
        var (agent, status, _) = await StartAgentAsync("h1");
        var reference = Publish(2, "198.18.0.2-198.18.0.3");

        // The body no longer matches its hash: h4 was added on the way.
        server.Sets[reference.Hash] = new PeerSetV1(reference.Hash, ["198.18.0.2-198.18.0.4"]);
        server.State = State(1, reference, seconds: 60) with
        {
            Openings = [new OpeningV1(1, 7680, "tcp", [], 60, reference), new OpeningV1(2, 7680, "tcp", ["198.18.0.5"], 60)],
        };

        await agent.ExchangeAsync(Token);

        var snapshot = status.Take();
        Assert.Null(snapshot.AppliedVersion);
        Assert.Contains($"peer set {reference.Hash} is refused: its ranges hash to", snapshot.ApplyError, StringComparison.Ordinal);
        Assert.Equal([("198.18.0.5", 7680)], await InstalledAsync("h1"));
        Assert.Equal("timeout", (await FetchAsync("h4", "h1")).Outcome);
        Assert.Equal("completed", (await FetchAsync("h5", "h1")).Outcome);
    }

    private PeerSetRefV1 Publish(long addresses, params string[] ranges)
    {
        var parsed = ranges.Select(r => AddressRange.TryParse(r, out var range, out _) ? range : throw new ArgumentException(r)).ToList();
        var hash = AddressRanges.Hash(parsed);
        server.Sets[hash] = new PeerSetV1(hash, ranges);
        return new PeerSetRefV1(hash, addresses, []);
    }

    private static DesiredStateV1 State(long version, PeerSetRefV1 reference, int seconds) =>
        new(version, [new OpeningV1(1, 7680, "tcp", [], seconds, reference)], new DeliveryOptimizationV1("Group", "g-1"), []);

    /// <summary>The production poller and enforcer for <paramref name="host"/>, talking real HTTP to the stub with the
    /// production handler (so the peer set arrives gzip-compressed and is decompressed by the agent).</summary>
    private async Task<(DesiredStatePoller Poller, AgentStatus Status, PeerSetStore Store)> StartAgentAsync(string host)
    {
        await PeerContent.StartServerAsync(lab, host, 4096);
        var options = Options.Create(new AgentOptions { ServerUrl = server.Url.ToString(), StateDirectory = stateDirectory, EnrollmentToken = "t" });
        var client = new AgentServerClient(new HttpClient(ServerCertificatePin.CreateHandler(null)) { BaseAddress = server.Url });
        var addresses = new LocalAddresses([lab[host].Address.ToString()]);
        var session = new CredentialSession(options, new CredentialStore(stateDirectory), client, addresses, AgentPlatform.Linux, NullLogger<CredentialSession>.Instance);
        var store = new PeerSetStore();
        var enforcer = new NftablesEnforcer(
            NamespaceEnforcers.Runner(lab, host), [7680], addresses, TimeProvider.System, NullLogger<NftablesEnforcer>.Instance, store);
        await enforcer.InstallClosedAsync(Token);
        var status = new AgentStatus();
        var resolver = new PeerSetResolver(client, store, options.Value.MaxPeerSetAddresses, NullLogger<PeerSetResolver>.Instance);
        var poller = new DesiredStatePoller(
            options, session, client, enforcer, status, new ScanQueue(options), TimeProvider.System, NullLogger<DesiredStatePoller>.Instance,
            peerSets: resolver);
        return (poller, status, store);
    }

    private async Task<List<(string Peer, int Port)>> InstalledAsync(string host)
    {
        var listing = await lab.ExecAsync(host, LabPrerequisites.NftPath, "-j", "list", "table", "inet", "orchestrator");
        Assert.Equal(0, listing.ExitCode);
        var installed = NftTableShape.Parse(listing.StandardOutput).Allowed.Keys.Order().ToList();
        output.WriteLine($"{host} allow elements: {string.Join(", ", installed)}");
        return installed;
    }

    private async Task<PeerFetch> FetchAsync(string from, string to)
    {
        var fetch = await PeerFetch.RunAsync(lab, from, lab[to].Address, Connect, Idle);
        output.WriteLine($"{from} -> {to}:7680 {fetch.Outcome} ({fetch.Bytes} bytes)");
        return fetch;
    }
}
