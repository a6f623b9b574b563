using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Server;
using Orchestrator.Agent.Windows;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.DeliveryOptimization;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Windows.DeliveryOptimization;

/// <summary>
/// The Windows sampling loop and the report loop together: the enforcer opens and closes a run on the fake cmdlets, the
/// Delivery Optimization cmdlets answer with the recorded hand-written samples (Windows/Samples/do-run-*.json, not captured
/// on a real host), and a scripted HTTP server takes the reports. Verified only with fake cmdlets and these samples.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DeliveryOptimizationSamplingTests_FakeWindowsCmdlets : IDisposable
{
    private static readonly string[] StatisticsScripts =
        [DeliveryOptimizationScripts.Status, DeliveryOptimizationScripts.PeerInfo, DeliveryOptimizationScripts.Connections];

    private readonly WindowsBackend backend = new();
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-do-sampling-" + Guid.NewGuid().ToString("N"));
    private readonly PendingDeliveryOptimization pending = new();
    private readonly DeliveryOptimizationSampler sampler;

    public DeliveryOptimizationSamplingTests_FakeWindowsCmdlets()
    {
        var reader = new DeliveryOptimizationStatisticsReader(backend.Host, new PowerShell(WindowsBackend.System32), TimeSpan.FromMinutes(2), backend.Time);
        sampler = new DeliveryOptimizationSampler(
            reader, backend.Enforcer, pending, new WindowsAgentOptions(), backend.Time, NullLogger<DeliveryOptimizationSampler>.Instance);
    }

    public void Dispose()
    {
        sampler.Dispose();
        backend.Dispose();
        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Over_a_run_the_reports_carry_each_delta_once_and_a_retried_report_resends_the_same_figures()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var loop = CreateLoop(server);
        await backend.Enforcer.InstallClosedAsync(ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(7, 3600, "198.18.0.3", "198.18.0.4")], ct);

        Answer(DeliveryOptimizationScripts.Status, "do-run-status-1-baseline.json");
        Answer(DeliveryOptimizationScripts.Connections, "do-run-connections-baseline.json");
        await sampler.SampleOnceAsync(ct);
        await loop.ReportOnceAsync(ct);
        Assert.Empty(server.Reports);

        Answer(DeliveryOptimizationScripts.Status, "do-run-status-2-during.json");
        Answer(DeliveryOptimizationScripts.PeerInfo, "do-run-peerinfo-during.json");
        backend.Time.Advance(TimeSpan.FromSeconds(30));
        await sampler.SampleOnceAsync(ct);
        await Assert.ThrowsAsync<HttpRequestException>(() => loop.ReportOnceAsync(ct));
        // Sampled again while the report waits: nothing new, and the waiting report is not rebuilt.
        backend.Time.Advance(TimeSpan.FromSeconds(30));
        await sampler.SampleOnceAsync(ct);
        await loop.ReportOnceAsync(ct);

        Assert.Equal(3, server.Reports.Count);
        Assert.Single(server.Reports.Select(r => r.ReportId).Distinct());
        var during = server.Reports[2].DeliveryOptimization!;
        Assert.All(server.Reports, r => Assert.Equal(Json(during), Json(r.DeliveryOptimization!)));
        Assert.Equal((1000L, 2000L, 2000L, 300L, 0L), (during.BytesFromHttp, during.BytesFromPeers, during.BytesFromGroupPeers, during.BytesToLanPeers, during.BytesToGroupPeers));
        Assert.Equal([new PeerTrafficV1("198.18.0.3", 0, 1500), new PeerTrafficV1("198.18.0.4", 0, 500)], during.Peers);

        Answer(DeliveryOptimizationScripts.Status, "do-run-status-3-evicted.json");
        Answer(DeliveryOptimizationScripts.Connections, "do-run-connections-after-close.json");
        await backend.Enforcer.ApplyAsync([], ct);
        backend.Time.Advance(TimeSpan.FromSeconds(30));
        await sampler.SampleOnceAsync(ct);
        await loop.ReportOnceAsync(ct);

        var closing = server.Reports[3].DeliveryOptimization!;
        Assert.Equal((500L, 1500L, 1500L, 0L, 700L), (closing.BytesFromHttp, closing.BytesFromPeers, closing.BytesFromGroupPeers, closing.BytesToLanPeers, closing.BytesToGroupPeers));
        Assert.Equal(
            [new PeerTrafficV1("198.18.0.3", 0, 1000), new PeerTrafficV1("198.18.0.4", 700, 500), new PeerTrafficV1("198.18.0.9", 100, 0)],
            closing.Peers);
        // Each peer's bytes over the run equal the log's own figure for the run: the live sample and the log overlap, counted once.
        Assert.Equal(2500L, during.Peers[0].BytesReceived + closing.Peers[0].BytesReceived);
        Assert.Equal((700L, 1000L), (closing.Peers[1].BytesServed, during.Peers[1].BytesReceived + closing.Peers[1].BytesReceived));
        Assert.False(sampler.Sampling);
    }

    [Fact]
    public async Task Outside_runs_nothing_is_read_and_no_report_carries_delivery_optimization()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = new ScriptedServer(HttpStatusCode.OK);
        using var loop = CreateLoop(server);
        await backend.Enforcer.InstallClosedAsync(ct);
        Answer(DeliveryOptimizationScripts.Status, "do-run-status-2-during.json");
        Answer(DeliveryOptimizationScripts.PeerInfo, "do-run-peerinfo-during.json");
        Answer(DeliveryOptimizationScripts.Connections, "do-run-connections-after-close.json");

        for (var i = 0; i < 3; i++)
        {
            backend.Time.Advance(TimeSpan.FromSeconds(30));
            await sampler.SampleOnceAsync(ct);
            await loop.ReportOnceAsync(ct);
        }

        // An opening whose window has passed (no close apply yet) is not an open run either.
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(8, 60, "198.18.0.3")], ct);
        backend.Time.Advance(TimeSpan.FromSeconds(61));
        await sampler.SampleOnceAsync(ct);
        await loop.ReportOnceAsync(ct);

        Assert.DoesNotContain(backend.Host.Scripts, s => StatisticsScripts.Contains(s));
        Assert.Empty(server.Reports);
        Assert.Null(pending.Take());
    }

    [Fact]
    public async Task The_connection_log_is_read_on_its_own_slower_interval_while_the_run_is_open()
    {
        var ct = TestContext.Current.CancellationToken;
        await backend.Enforcer.InstallClosedAsync(ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(7, 3600, "198.18.0.3", "198.18.0.4")], ct);
        Answer(DeliveryOptimizationScripts.Status, "do-run-status-1-baseline.json");
        Answer(DeliveryOptimizationScripts.PeerInfo, "do-run-peerinfo-during.json");
        Answer(DeliveryOptimizationScripts.Connections, "do-run-connections-baseline.json");

        // Baseline, then 20 samples 30 s apart: 10 minutes, the default log interval.
        for (var i = 0; i <= 20; i++)
        {
            await sampler.SampleOnceAsync(ct);
            backend.Time.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(20, backend.Host.Scripts.Count(s => s == DeliveryOptimizationScripts.PeerInfo));
        // One at the baseline, one when 10 minutes had passed.
        Assert.Equal(2, backend.Host.Scripts.Count(s => s == DeliveryOptimizationScripts.Connections));
    }

    private void Answer(string script, string sample) =>
        backend.Host.Answer(script, new CommandResult(0, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Windows", "Samples", sample)), ""));

    private static string Json(DeliveryOptimizationStatsV1 stats) => JsonSerializer.Serialize(stats, JsonSerializerOptions.Web);

    private ReportLoop CreateLoop(ScriptedServer handler)
    {
        var options = Options.Create(new AgentOptions { ServerUrl = "http://198.18.0.250", StateDirectory = stateDirectory, ReportRetryAttempts = 1 });
        var store = new CredentialStore(stateDirectory);
        store.Save(new AgentCredential("agent-1", 1, "s3cret"));
        var client = new AgentServerClient(new HttpClient(handler) { BaseAddress = new Uri(options.Value.ServerUrl) });
        var session = new CredentialSession(options, store, client, new LocalAddresses(["198.18.0.1"]), AgentPlatform.Windows, NullLogger<CredentialSession>.Instance);
        // The real clock for the report retries (about a second); the fake one drives the sampler and the enforcer.
        return new ReportLoop(options, session, client, backend.Enforcer, new AgentStatus(), TimeProvider.System, NullLogger<ReportLoop>.Instance, pending);
    }

    private sealed class ScriptedServer(params HttpStatusCode[] answers) : HttpMessageHandler
    {
        private int calls;

        public List<AgentReportV1> Reports { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Reports.Add(JsonSerializer.Deserialize<AgentReportV1>(await request.Content!.ReadAsStringAsync(cancellationToken), JsonSerializerOptions.Web)!);
            return new HttpResponseMessage(answers[Math.Min(calls++, answers.Length - 1)]);
        }
    }
}
