using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Server;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Polling;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DesiredStatePollerTests : IDisposable
{
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-agent-poll-" + Guid.NewGuid().ToString("N"));
    private readonly RecordingFirewall firewall = new();
    private readonly AgentStatus status = new();
    private readonly FakeServer server = new();

    public void Dispose()
    {
        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static DesiredStateV1 State(long version, params string[] peers) => new(
        version, [new OpeningV1(1, 7680, "tcp", peers, 600)], new DeliveryOptimizationV1("Group", "g-1"), [new ScanRequestV1("scan-1", 1, 60)]);

    [Fact]
    public async Task The_first_poll_enrolls_stores_the_credential_and_applies_the_state()
    {
        server.States.Enqueue(State(3, "198.18.0.2"));
        var poller = CreatePoller(token: "enroll-me");

        await poller.ExchangeAsync(Token);

        Assert.Equal("enroll-me", server.EnrolledWith);
        Assert.Equal("agent-1", new CredentialStore(stateDirectory).Load()!.AgentId);
        Assert.Equal("/agent/v1/state?version=0&wait=25", server.LastStateQuery);
        Assert.Equal("Agent agent-1:secret-1", server.LastAuthorization);
        Assert.Equal(["198.18.0.2"], Assert.Single(firewall.Applied).Single().AllowedPeers);
        Assert.Equal(3, status.Take().AppliedVersion);
        Assert.Equal(3, poller.HeldVersion);
    }

    [Fact]
    public async Task Not_modified_changes_nothing_and_the_held_version_is_sent_next_time()
    {
        server.States.Enqueue(State(3, "198.18.0.2"));
        var poller = CreatePoller(token: "t");
        await poller.ExchangeAsync(Token);

        await poller.ExchangeAsync(Token);

        Assert.Single(firewall.Applied);
        Assert.Equal("/agent/v1/state?version=3&wait=25", server.LastStateQuery);
    }

    [Fact]
    public async Task A_refused_state_is_reported_as_an_apply_error_and_not_asked_for_again()
    {
        server.States.Enqueue(State(4, "0.0.0.0/0"));
        firewall.Refuse = true;
        var poller = CreatePoller(token: "t");

        await poller.ExchangeAsync(Token);

        var snapshot = status.Take();
        Assert.Null(snapshot.AppliedVersion);
        Assert.Contains("version 4", snapshot.ApplyError, StringComparison.Ordinal);
        Assert.Equal(4, poller.HeldVersion);
    }

    [Fact]
    public async Task Delivery_optimization_settings_on_a_linux_agent_are_reported_not_applicable_and_the_opening_applies()
    {
        server.States.Enqueue(new DesiredStateV1(
            3, [new OpeningV1(1, 7680, "tcp", ["198.18.0.2"], 600)],
            new DeliveryOptimizationV1("Lan", null, new DeliveryOptimizationSettingsV1(MinRamToPeerGB: 2)), []));
        var poller = CreatePoller(token: "t");

        await poller.ExchangeAsync(Token);

        var snapshot = status.Take();
        Assert.Equal(3, snapshot.AppliedVersion);
        Assert.Equal("applied; " + NoPeeringPolicy.NotApplicable, snapshot.ApplyError);
        Assert.Equal(["198.18.0.2"], Assert.Single(firewall.Applied).Single().AllowedPeers);
    }

    [Fact]
    public async Task A_state_with_a_refused_opening_applies_the_valid_ones_and_reports_the_error_without_an_applied_version()
    {
        server.States.Enqueue(State(3, "198.18.0.2"));
        var poller = CreatePoller(token: "t");
        await poller.ExchangeAsync(Token);
        status.Take();
        firewall.RefuseRun = 2;
        server.States.Enqueue(new DesiredStateV1(
            4, [new OpeningV1(2, 7680, "tcp", ["fe80::1%4"], 600), new OpeningV1(3, 7680, "tcp", ["198.18.0.3"], 600)],
            new DeliveryOptimizationV1("Group", "g-1"), []));

        await poller.ExchangeAsync(Token);

        var snapshot = status.Take();
        Assert.Null(snapshot.AppliedVersion);
        Assert.Contains("version 4", snapshot.ApplyError, StringComparison.Ordinal);
        Assert.Contains("fe80::1%4", snapshot.ApplyError, StringComparison.Ordinal);
        Assert.Equal(2, firewall.Applied.Count);
    }

    [Fact]
    public async Task An_unreadable_state_closes_every_opening_and_is_reported()
    {
        server.States.Enqueue(State(3, "198.18.0.2"));
        var poller = CreatePoller(token: "t");
        await poller.ExchangeAsync(Token);
        status.Take();
        server.RawAnswer = """{"version":4,"openings":[{"runId":"not a number"}]}""";

        await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(() => poller.ExchangeAsync(Token));

        Assert.Empty(firewall.Applied[^1]);
        var snapshot = status.Take();
        Assert.Null(snapshot.AppliedVersion);
        Assert.Contains("desired state unreadable", snapshot.ApplyError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_credential_is_dropped_and_the_agent_enrolls_again_when_it_has_a_token()
    {
        server.States.Enqueue(State(3, "198.18.0.2"));
        var poller = CreatePoller(token: "t");
        await poller.ExchangeAsync(Token);
        server.Revoked = true;

        await Assert.ThrowsAsync<CredentialRejectedException>(() => poller.ExchangeAsync(Token));
        Assert.Null(new CredentialStore(stateDirectory).Load());
        server.Revoked = false;
        await poller.ExchangeAsync(Token);

        Assert.Equal(2, server.Enrollments);
        Assert.Equal("agent-2", new CredentialStore(stateDirectory).Load()!.AgentId);
    }

    [Fact]
    public async Task A_revoked_credential_is_kept_without_a_token_so_the_agent_only_backs_off()
    {
        new CredentialStore(stateDirectory).Save(new AgentCredential("agent-9", 9, "old"));
        server.Revoked = true;
        var poller = CreatePoller(token: null);

        await Assert.ThrowsAsync<CredentialRejectedException>(() => poller.ExchangeAsync(Token));

        Assert.Equal("agent-9", new CredentialStore(stateDirectory).Load()!.AgentId);
        Assert.Equal(0, server.Enrollments);
    }

    private DesiredStatePoller CreatePoller(string? token)
    {
        var options = Options.Create(new AgentOptions { ServerUrl = "http://198.18.0.250", StateDirectory = stateDirectory, EnrollmentToken = token });
        var client = new AgentServerClient(new HttpClient(server) { BaseAddress = new Uri(options.Value.ServerUrl) });
        var session = new CredentialSession(options, new CredentialStore(stateDirectory), client, new LocalAddresses(["198.18.0.1"]), AgentPlatform.Linux, NullLogger<CredentialSession>.Instance);
        return new DesiredStatePoller(options, session, client, firewall, status, new ScanQueue(options), TimeProvider.System, NullLogger<DesiredStatePoller>.Instance);
    }

    private sealed class RecordingFirewall : IFirewallEnforcer
    {
        public List<IReadOnlyList<OpeningV1>> Applied { get; } = [];

        public bool Refuse { get; set; }

        /// <summary>Openings of this run are refused (left out), as the real enforcers do with an invalid opening.</summary>
        public long? RefuseRun { get; set; }

        public Task InstallClosedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<ApplyOutcome> ApplyAsync(IReadOnlyList<OpeningV1> openings, CancellationToken cancellationToken)
        {
            if (Refuse)
            {
                Applied.Add([]);
                throw new InvalidOperationException("nft rejected the openings batch; every opening was removed instead (closed state)");
            }

            var kept = openings.Where(o => o.RunId != RefuseRun).ToList();
            Applied.Add(kept);
            return Task.FromResult(new ApplyOutcome(
                kept.Count, openings.Where(o => o.RunId == RefuseRun).Select(o => $"opening of run {o.RunId}: peer '{o.AllowedPeers[0]}' refused").ToList()));
        }

        public Task<FirewallRepair?> VerifyAsync(CancellationToken cancellationToken) => Task.FromResult<FirewallRepair?>(null);

        public IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();

        public Task<FirewallCounters> ReadCountersAsync(CancellationToken cancellationToken) => Task.FromResult(FirewallCounters.Empty);
    }

    /// <summary>Protocol v1 as the server side answers it: one state per enqueued item, then 304.</summary>
    private sealed class FakeServer : HttpMessageHandler
    {
        public Queue<DesiredStateV1> States { get; } = new();

        /// <summary>Answered once (200, as JSON) instead of the next state: a body this agent cannot read.</summary>
        public string? RawAnswer { get; set; }

        public bool Revoked { get; set; }

        public int Enrollments { get; private set; }

        public string? EnrolledWith { get; private set; }

        public string? LastStateQuery { get; private set; }

        public string? LastAuthorization { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == AgentProtocolV1.EnrollPath)
            {
                var enroll = await request.Content!.ReadFromJsonAsync<EnrollRequestV1>(cancellationToken);
                EnrolledWith = enroll!.Token;
                Enrollments++;
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = JsonContent.Create(new EnrollResponseV1($"agent-{Enrollments}", 1, $"secret-{Enrollments}")),
                };
            }

            LastStateQuery = request.RequestUri.PathAndQuery;
            LastAuthorization = request.Headers.Authorization?.ToString();
            if (Revoked)
            {
                return new HttpResponseMessage(HttpStatusCode.Unauthorized);
            }

            if (RawAnswer is { } raw)
            {
                RawAnswer = null;
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json") };
            }

            return States.TryDequeue(out var state)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(state) }
                : new HttpResponseMessage(HttpStatusCode.NotModified);
        }
    }
}
