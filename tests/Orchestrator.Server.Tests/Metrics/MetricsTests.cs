using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server.Metrics;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Metrics;

/// <summary>/metrics scraped over real HTTP after real activity: a run, agents acknowledging and reporting.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsAnswerOnlyASignedInViewerNeverAnAnonymousCaller()
    {
        await using var factory = new OrchestratorFactory();
        using var anonymous = factory.CreateAnonymousClient();
        using var wrongKey = factory.CreateAnonymousClient();
        wrongKey.DefaultRequestHeaders.Authorization = new("Bearer", "ork_not-a-key-0123456789abcdefghijklmnopqrstuv");
        using var admin = factory.CreateClient();

        using var refused = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        using var wrong = await wrongKey.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        using var allowed = await admin.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("orchestrator_", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.StartsWith("text/plain", allowed.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE orchestrator_runs gauge", await allowed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapedValuesFollowARunAndTheAgentsReports()
    {
        await using var site = await AgentSite.StartAsync(2);
        var before = await ScrapeAsync(site.Client);
        Assert.Equal(0, before.Value("orchestrator_runs", "state=\"Open\""));
        Assert.Equal(0, before.Value("orchestrator_members_open"));
        Assert.Equal(2, before.Value("orchestrator_agents", "status=\"online\""));
        Assert.Equal(0, before.Value("orchestrator_agents", "status=\"offline\""));

        var runId = await site.StartRunAsync(await site.WindowAsync(new { enabled = true, maxConcurrency = "100%" }), "PT1M");
        await site.WaitRunStateAsync(runId, "Open");
        var open = await ScrapeAsync(site.Client);
        Assert.Equal(1, open.Value("orchestrator_runs", "state=\"Open\""));
        Assert.Equal(2, open.Value("orchestrator_members_open"));

        // Both agents apply and acknowledge their state; the first also reports traffic, blocked attempts and its scan.
        var pc1 = site.Agents[0];
        var state = await ApiClient.EventuallyAsync(pc1.StateAsync, s => s.Scans.Count == 1, TimeSpan.FromSeconds(15), "pc-1 holds its scan");
        await pc1.ReportAsync(new("metrics-1", state.Version, null, [new(state.Scans[0].ScanId, "Succeeded", 0, 500)],
            [new(site.Agents[1].Address, 1_000_000, 5)], [new("198.18.0.99", 7680, 3)]));
        await pc1.ReportAsync(new("metrics-1", state.Version, null, [new(state.Scans[0].ScanId, "Succeeded", 0, 500)],
            [new(site.Agents[1].Address, 1_000_000, 5)], [new("198.18.0.99", 7680, 3)]));
        var pc2State = await site.Agents[1].StateAsync();
        await site.Agents[1].ReportAsync(new("metrics-2", pc2State.Version, null, [], [], []));

        var reported = await ScrapeAsync(site.Client);
        Assert.Equal(1_000_000, reported.Value("orchestrator_peer_bytes_served_total"));
        Assert.Equal(3, reported.Value("orchestrator_blocked_attempts_total"));
        Assert.Equal(1, reported.Value("orchestrator_scan_outcomes_total", "outcome=\"Succeeded\""));
        Assert.Equal(1, reported.Value("orchestrator_report_rows_total", "kind=\"traffic\""));
        Assert.Equal(1, reported.Value("orchestrator_report_rows_total", "kind=\"blocked\""));
        Assert.Equal(1, reported.Value("orchestrator_report_rows_total", "kind=\"scan\""));
        Assert.Equal(2, reported.Value("orchestrator_desired_state_propagation_seconds_count"));
        Assert.True(reported.Value("orchestrator_desired_state_propagation_seconds_sum") > 0, "the latencies add up to more than nothing");
        Assert.Equal(2, reported.Value("orchestrator_desired_state_propagation_seconds_bucket", "le=\"+Inf\""));

        using (var close = await site.Client.PostAsync(new Uri($"/api/v1/runs/{runId}/close", UriKind.Relative), null, TestContext.Current.CancellationToken))
        {
            Assert.True(close.IsSuccessStatusCode, await close.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        await site.WaitRunStateAsync(runId, "Closed");
        var closed = await ScrapeAsync(site.Client);
        Assert.Equal(0, closed.Value("orchestrator_runs", "state=\"Open\""));
        Assert.Equal(1, closed.Value("orchestrator_runs", "state=\"Closed\""));
        Assert.Equal(0, closed.Value("orchestrator_members_open"));
    }

    /// <summary>The webhook feature records its deliveries through <see cref="OrchestratorMetrics.WebhookDelivery"/>.</summary>
    [Fact]
    public async Task WebhookDeliveriesAreCountedByOutcomeAndEvent()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var metrics = factory.Services.GetRequiredService<OrchestratorMetrics>();

        metrics.WebhookDelivery("delivered", "run.opened");
        metrics.WebhookDelivery("delivered", "run.opened");
        metrics.WebhookDelivery("failed", "run.closed");

        var scrape = await ScrapeAsync(client);
        Assert.Equal(2, scrape.Value("orchestrator_webhook_deliveries_total", "outcome=\"delivered\"", "event=\"run.opened\""));
        Assert.Equal(1, scrape.Value("orchestrator_webhook_deliveries_total", "outcome=\"failed\"", "event=\"run.closed\""));
    }

    private static async Task<Scrape> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return new Scrape(text);
    }

    /// <summary>Prometheus text exposition: <c>name{label="value",...} number</c> lines.</summary>
    private sealed record Scrape(string Text)
    {
        /// <summary>The one sample of <paramref name="name"/> carrying every label given; 0 when the series is absent
        /// (a counter nothing has added to yet).</summary>
        public double Value(string name, params string[] labels)
        {
            var samples = Text.Split('\n')
                .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
                .Where(l => labels.All(label => l.Contains(label, StringComparison.Ordinal)))
                .ToList();
            Assert.True(samples.Count <= 1, $"{name} {string.Join(',', labels)}: {samples.Count} samples in\n{Text}");
            if (samples.Count == 0)
            {
                return 0;
            }

            var parts = samples[0].TrimEnd().Split(' ');
            // A sample may end with a timestamp: the value is the field after the closing brace (or the name).
            var valueField = samples[0].Contains('}', StringComparison.Ordinal)
                ? samples[0][(samples[0].LastIndexOf('}') + 1)..].Trim().Split(' ')[0]
                : parts[1];
            return double.Parse(valueField, CultureInfo.InvariantCulture);
        }
    }
}
