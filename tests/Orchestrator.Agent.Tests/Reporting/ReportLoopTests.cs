using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Server;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Reporting;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReportLoopTests : IDisposable
{
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-agent-report-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(stateDirectory, recursive: true);

    [Fact]
    public async Task A_report_that_failed_is_resent_with_the_same_id_and_the_counters_are_read_only_once()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var firewall = new GrowingCounters();
        using var loop = CreateLoop(server, firewall);

        await Assert.ThrowsAsync<HttpRequestException>(() => loop.ReportOnceAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, loop.UnsentCount);
        await loop.ReportOnceAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, loop.UnsentCount);
        Assert.Equal(3, server.Reports.Count);
        Assert.Single(server.Reports.Select(r => r.ReportId).Distinct());
        Assert.Equal(1, firewall.Reads);
        Assert.Equal("Agent agent-1:s3cret", server.Authorization);
    }

    private ReportLoop CreateLoop(ScriptedServer handler, IFirewallEnforcer firewall)
    {
        var options = Options.Create(new AgentOptions { ServerUrl = "http://198.18.0.250", StateDirectory = stateDirectory, ReportRetryAttempts = 1 });
        var store = new CredentialStore(stateDirectory);
        store.Save(new AgentCredential("agent-1", 1, "s3cret"));
        var client = new AgentServerClient(new HttpClient(handler) { BaseAddress = new Uri(options.Value.ServerUrl) });
        var session = new CredentialSession(options, store, client, new LocalAddresses(["198.18.0.1"]), AgentPlatform.Linux, NullLogger<CredentialSession>.Instance);
        return new ReportLoop(options, session, client, firewall, new AgentStatus(), TimeProvider.System, NullLogger<ReportLoop>.Instance);
    }

    private sealed class GrowingCounters : IFirewallEnforcer
    {
        public int Reads { get; private set; }

        public Task InstallClosedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<ApplyOutcome> ApplyAsync(IReadOnlyList<OpeningV1> openings, CancellationToken cancellationToken) =>
            Task.FromResult(new ApplyOutcome(openings.Count, []));

        public Task<FirewallRepair?> VerifyAsync(CancellationToken cancellationToken) => Task.FromResult<FirewallRepair?>(null);

        public IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();

        public Task<FirewallCounters> ReadCountersAsync(CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(new FirewallCounters(
                new Dictionary<string, long> { ["198.18.0.2"] = 1000L * Reads }, new Dictionary<string, long>(), new Dictionary<BlockedKey, long>()));
        }
    }

    private sealed class ScriptedServer(params HttpStatusCode[] answers) : HttpMessageHandler
    {
        private int calls;

        public List<AgentReportV1> Reports { get; } = [];

        public string? Authorization { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal(AgentProtocolV1.ReportPath, request.RequestUri!.AbsolutePath);
            Authorization = request.Headers.Authorization?.ToString();
            Reports.Add(JsonSerializer.Deserialize<AgentReportV1>(await request.Content!.ReadAsStringAsync(cancellationToken), JsonSerializerOptions.Web)!);
            return new HttpResponseMessage(answers[Math.Min(calls++, answers.Length - 1)]);
        }
    }
}
