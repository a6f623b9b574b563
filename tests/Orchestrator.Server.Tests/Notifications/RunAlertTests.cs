using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Notifications;

public sealed class RunAlertTests
{
    [Fact]
    public async Task ARunsEventsReachTheReceiverAndTheRunsReportListsEveryDeliveryAttempt()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await Seed.YearlyWindowAsync(client);
        await Webhooks.RegisterAsync(client, receiver.Url(), ["run.opened", "run.closed", "member.agentOffline"]);

        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;

        await ApiClient.EventuallyAsync(() => Task.FromResult(receiver.Calls.Select(c => c.Event).ToHashSet()), e => e.SetEquals(["run.opened", "member.agentOffline", "run.closed"]), TimeSpan.FromSeconds(30), "three events");
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));
        var opened = JsonNode.Parse(receiver.Calls.Single(c => c.Event == "run.opened").Body)!;
        Assert.Equal(runId, (long)opened["runId"]!);
        Assert.Equal("floor-3 patch", (string?)opened["windowName"]);
        Assert.Equal("3", (string?)opened["details"]!["members"]);
        Assert.EndsWith($"/reports/runs/{runId}", (string?)opened["reportUrl"], StringComparison.Ordinal);
        var offline = JsonNode.Parse(receiver.Calls.Single(c => c.Event == "member.agentOffline").Body)!;
        Assert.Equal("pc-1,pc-2,pc-3", (string?)offline["details"]!["hostnames"]);
        Assert.Equal("Ended", (string?)JsonNode.Parse(receiver.Calls.Single(c => c.Event == "run.closed").Body)!["details"]!["closeReason"]);

        var report = await ApiClient.EventuallyAsync(
            () => client.GetJsonAsync($"/api/v1/runs/{runId}/report"), r => r["notifications"]!["deliveries"]!.AsArray().Count == 3, TimeSpan.FromSeconds(20), "three deliveries on the report");
        Assert.All(report["notifications"]!["deliveries"]!.AsArray(), d => Assert.Equal(200, (int)d!["statusCode"]!));
        using var page = await client.GetAsync($"/reports/runs/{runId}", TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Hooks and notifications (0 hook calls, 3 delivery attempts)", html, StringComparison.Ordinal);
        Assert.Contains("member.agentOffline", html, StringComparison.Ordinal);
    }

    /// <summary>Regression: an event published again for the same run (a job run again after a kill, a repeated trigger
    /// that found a missed run, a second node) went out again, under a new delivery id receivers could not tell from a
    /// new event. Each now reaches a webhook once per run.</summary>
    [Fact]
    public async Task ARunsEventPublishedAgainReachesEachWebhookOnce()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await Seed.YearlyWindowAsync(client);
        await Webhooks.RegisterAsync(client, receiver.Url(), ["run.closed"]);
        await Webhooks.RegisterAsync(client, receiver.Url(), ["*"], name: "everything");
        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;
        await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.Count(c => c.Event == "run.closed")), n => n == 2, TimeSpan.FromSeconds(30), "run.closed to both webhooks");

        var run = (await factory.Services.GetRequiredService<IRunStore>().GetAsync(runId, TestContext.Current.CancellationToken))!;
        var alerts = factory.Services.GetRequiredService<RunAlerts>();
        await alerts.ClosedAsync(run, "Ended");
        await alerts.ClosedAsync(run, "Ended");
        await Webhooks.DeliveriesMadeAsync(factory.Services);

        var closed = receiver.Calls.Where(c => c.Event == "run.closed").ToList();
        Assert.Equal(2, closed.Count);
        Assert.Equal(2, closed.Select(c => c.Delivery).Distinct().Count());
        Assert.All(closed, c => Assert.Equal(runId, (long)JsonNode.Parse(c.Body)!["runId"]!));
    }

    /// <summary>One lifecycle worker, and a receiver that takes the whole attempt timeout for every event: if deliveries
    /// shared the lifecycle's workers, the close would wait behind the hanging run.opened delivery.</summary>
    [Fact]
    public async Task AScheduledRunOpensAndClosesOnTimeWhileTheReceiverHangs()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        receiver.Answer = (_, _, ct) => Receiver.HangAsync(ct);
        await using var factory = Webhooks.Server(
            ("Orchestrator:JobWorkers", "1"),
            ("Orchestrator:Notifications:AttemptTimeout", "00:01:00"),
            ("Orchestrator:Notifications:Workers", "1"));
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        await Webhooks.RegisterAsync(client, receiver.Url(), ["*"]);
        var start = DateTimeOffset.UtcNow.AddSeconds(4);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, start.Second, TimeSpan.Zero);
        var windowId = await Seed.OneOffWindowAsync(client, "hanging receiver", start, "PT8S");

        var runs = await ApiClient.EventuallyAsync(() => Seed.RunsOfAsync(client, windowId), r => r.Count == 1 && (string?)r[0]!["state"] == "Closed", TimeSpan.FromSeconds(40), "the run closed");
        var run = runs[0]!;
        var openedLate = (DateTimeOffset)run["openedAt"]! - (DateTimeOffset)run["plannedStart"]!;
        var closedLate = (DateTimeOffset)run["closedAt"]! - (DateTimeOffset)run["plannedEnd"]!;
        Assert.True(openedLate < TimeSpan.FromSeconds(2), $"opened {openedLate.TotalSeconds} s after its start");
        Assert.True(closedLate < TimeSpan.FromSeconds(4), $"closed {closedLate.TotalSeconds} s after its end");

        // The receiver had the run.opened delivery in hand, unanswered, the whole time.
        var first = Assert.Single(receiver.Calls, c => c.Event == "run.opened");
        Assert.True(first.At < (DateTimeOffset)run["closedAt"]!);
        var deliveries = (await client.GetJsonAsync("/api/v1/webhooks/1/deliveries")).AsArray();
        Assert.DoesNotContain(deliveries, d => (string?)d!["event"] == "run.opened");
    }
}
