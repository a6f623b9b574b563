using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Server;
using Orchestrator.Agent.Tests.Server;
using Orchestrator.Core.Enforcement;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Polling;

/// <summary>
/// The production poller and peer-set resolver against a real HTTP stub server: a set sent inline in the state is
/// verified and held like a fetched one and costs no fetch, and with a server that acknowledges by poll the next poll
/// says which version is in force and the agent sends no report of its own for an opening (it still does for a close,
/// whose report carries the run's last counters, and for a server that never said it acknowledges by poll).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AckByPollAndInlinePeerSetTests : IAsyncLifetime
{
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-agent-ackpoll-" + Guid.NewGuid().ToString("N"));
    private readonly AgentStatus status = new();
    private readonly PeerSetStore store = new();
    private readonly RecordingEnforcer enforcer = new();
    private StubAgentServer server = null!;
    private int reportsAsked;

    public ValueTask InitializeAsync()
    {
        server = StubAgentServer.Start();
        status.Changed += () => Interlocked.Increment(ref reportsAsked);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_inline_set_is_verified_and_held_without_a_fetch()
    {
        var poller = CreatePoller();
        var reference = Inline(4, "198.18.0.1-198.18.0.4");
        server.State = State(1, reference with { Except = ["198.18.0.1"] });

        await poller.ExchangeAsync(Token);

        Assert.Equal(0, server.SetFetches);
        Assert.True(store.TryGet(reference.Hash, out var ranges, out _));
        Assert.Equal(["198.18.0.1-198.18.0.4"], ranges.Select(r => r.ToString()));
        Assert.Equal(1, status.Take().AppliedVersion);
    }

    [Fact]
    public async Task An_inline_set_that_does_not_hash_to_its_name_is_refused_and_not_fetched()
    {
        var poller = CreatePoller();
        var reference = Inline(2, "198.18.0.2-198.18.0.3");
        server.State = State(1, reference with { Ranges = ["198.18.0.2-198.18.0.4"] });

        await poller.ExchangeAsync(Token);

        Assert.Equal(0, server.SetFetches);
        Assert.False(store.TryGet(reference.Hash, out _, out var problem));
        Assert.Contains("is refused: its ranges hash to", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inline_set_wider_than_announced_is_refused()
    {
        var poller = CreatePoller();
        var reference = Inline(3, "198.18.0.2-198.18.0.5");

        server.State = State(1, reference);
        await poller.ExchangeAsync(Token);

        Assert.False(store.TryGet(reference.Hash, out _, out var problem));
        Assert.Contains("it holds 4 addresses, the state announced 3", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_ack_by_poll_the_next_poll_says_the_state_is_in_force_and_no_report_is_sent_at_once()
    {
        var poller = CreatePoller();
        server.State = State(1, Inline(2, "198.18.0.2-198.18.0.3")) with { AcknowledgeByPoll = true };

        await poller.ExchangeAsync(Token);
        await poller.ExchangeAsync(Token);

        var polls = StatePolls();
        Assert.Contains($"{AgentProtocolV1.FeaturesQuery}={AgentProtocolV1.PeerSetsFeature},{AgentProtocolV1.AckByPollFeature}", polls[0], StringComparison.Ordinal);
        Assert.DoesNotContain(AgentProtocolV1.AppliedQuery + "=", polls[0], StringComparison.Ordinal);
        Assert.Contains("version=1&", polls[1], StringComparison.Ordinal);
        Assert.Contains($"&{AgentProtocolV1.AppliedQuery}=1", polls[1], StringComparison.Ordinal);
        Assert.Equal(0, reportsAsked);
        // The next regular report still carries the applied version.
        var snapshot = status.Take();
        Assert.Equal(1, snapshot.AppliedVersion);
        Assert.True(snapshot.ApplyChanged);
    }

    [Fact]
    public async Task A_server_that_does_not_acknowledge_by_poll_gets_a_report_at_once()
    {
        var poller = CreatePoller();
        server.State = State(1, Inline(2, "198.18.0.2-198.18.0.3"));

        await poller.ExchangeAsync(Token);

        Assert.Equal(1, reportsAsked);
    }

    [Fact]
    public async Task A_state_that_closes_a_run_is_reported_at_once_even_with_ack_by_poll()
    {
        var poller = CreatePoller();
        server.State = State(1, Inline(2, "198.18.0.2-198.18.0.3")) with { AcknowledgeByPoll = true };
        await poller.ExchangeAsync(Token);
        Assert.Equal(0, reportsAsked);

        server.State = new DesiredStateV1(2, [], new DeliveryOptimizationV1(PeeringModeV1.HttpOnly, null), [], AcknowledgeByPoll: true);
        await poller.ExchangeAsync(Token);

        Assert.Equal(1, reportsAsked);
        Assert.Equal(2, status.Take().AppliedVersion);
    }

    [Fact]
    public async Task A_state_applied_only_in_part_is_not_said_to_be_in_force_and_is_reported_at_once()
    {
        var poller = CreatePoller();
        enforcer.RefuseRun = 1;
        server.State = State(1, Inline(2, "198.18.0.2-198.18.0.3")) with { AcknowledgeByPoll = true };

        await poller.ExchangeAsync(Token);
        await poller.ExchangeAsync(Token);

        Assert.Equal(1, reportsAsked);
        Assert.DoesNotContain(AgentProtocolV1.AppliedQuery + "=", StatePolls()[1], StringComparison.Ordinal);
        Assert.Null(status.Take().AppliedVersion);
    }

    private List<string> StatePolls() =>
        server.Requests.Where(r => r.StartsWith(AgentProtocolV1.StatePath, StringComparison.Ordinal)).ToList();

    private static PeerSetRefV1 Inline(long addresses, params string[] ranges)
    {
        var parsed = ranges.Select(r => AddressRange.TryParse(r, out var range, out _) ? range : throw new ArgumentException(r)).ToList();
        return new PeerSetRefV1(AddressRanges.Hash(parsed), addresses, [], ranges);
    }

    private static DesiredStateV1 State(long version, PeerSetRefV1 reference) =>
        new(version, [new OpeningV1(1, 7680, TransportV1.Tcp, [], 600, reference)], new DeliveryOptimizationV1(PeeringModeV1.Lan, null), []);

    private DesiredStatePoller CreatePoller()
    {
        var options = Options.Create(new AgentOptions { ServerUrl = server.Url.ToString(), StateDirectory = stateDirectory, EnrollmentToken = "t" });
        var client = new AgentServerClient(new HttpClient { BaseAddress = server.Url });
        var session = new CredentialSession(
            options, new CredentialStore(stateDirectory), client, new LocalAddresses(["198.18.0.1"]), AgentPlatform.Linux, NullLogger<CredentialSession>.Instance);
        var resolver = new PeerSetResolver(client, store, options.Value.MaxPeerSetAddresses, NullLogger<PeerSetResolver>.Instance);
        return new DesiredStatePoller(
            options, session, client, enforcer, status, new ScanQueue(options), TimeProvider.System, NullLogger<DesiredStatePoller>.Instance,
            peerSets: resolver);
    }

    /// <summary>Records what it is asked to apply; openings of <see cref="RefuseRun"/> are refused as an invalid opening is.</summary>
    private sealed class RecordingEnforcer : IFirewallEnforcer
    {
        public long? RefuseRun { get; set; }

        public Task InstallClosedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<ApplyOutcome> ApplyAsync(IReadOnlyList<OpeningV1> openings, CancellationToken cancellationToken) =>
            Task.FromResult(new ApplyOutcome(
                openings.Count(o => o.RunId != RefuseRun), openings.Where(o => o.RunId == RefuseRun).Select(o => $"opening of run {o.RunId} refused").ToList()));

        public Task<FirewallRepair?> VerifyAsync(CancellationToken cancellationToken) => Task.FromResult<FirewallRepair?>(null);

        public IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();

        public Task<FirewallCounters> ReadCountersAsync(CancellationToken cancellationToken) => Task.FromResult(FirewallCounters.Empty);
    }
}
