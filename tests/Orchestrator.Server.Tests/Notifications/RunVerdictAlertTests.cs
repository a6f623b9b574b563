using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Notifications;
using Orchestrator.Data.Reports;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Reports;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Notifications;

/// <summary>The alerts that come from a run's verdict, after it closed: its final report's critical anomalies and the
/// members that did not confirm the close. Real runs, a real receiver checking each signature.</summary>
public sealed class RunVerdictAlertTests
{
    /// <summary>Regression: members without an agent were also sent as "3 endpoints did not confirm the close (their
    /// opening had expired)", although nothing ever opened there (the report calls them "not opened").</summary>
    [Fact]
    public async Task ARunWhereNoMemberOpenedIsSentAsACriticalAnomalyAndItsAgentlessMembersAreNotSentAsUnconfirmedCloses()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        // The final report is taken LateReportGrace + CloseConfirmationGrace (5 s in tests) after the close.
        await using var factory = Webhooks.Server(("Orchestrator:LateReportGrace", "00:00:05"));
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await Seed.YearlyWindowAsync(client);
        await Webhooks.RegisterAsync(client, receiver.Url(), ["*"]);

        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;

        var call = await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.FirstOrDefault(c => c.Event == "run.criticalAnomaly")), c => c is not null, TimeSpan.FromSeconds(45), "the critical anomaly alert");
        Assert.True(call!.SignatureValid, "the receiver could not verify the signature");
        var body = JsonNode.Parse(call.Body)!;
        Assert.Equal("run.criticalAnomaly", (string?)body["event"]);
        Assert.Equal(call.Delivery, (string?)body["id"]);
        Assert.Equal("critical", (string?)body["severity"]);
        Assert.Equal(runId, (long)body["runId"]!);
        Assert.Equal("floor-3 patch", (string?)body["windowName"]);
        Assert.EndsWith($"/reports/runs/{runId}", (string?)body["reportUrl"], StringComparison.Ordinal);
        Assert.Contains("nothing-happened", ((string?)body["details"]!["codes"])!.Split(','));
        Assert.Contains($"run {runId}: Nothing happened: none of the 3 endpoints opened the port (3 without an enrolled agent", (string?)body["text"], StringComparison.Ordinal);

        // The report the alert links to says the same first.
        var report = await client.GetJsonAsync($"/api/v1/runs/{runId}/report");
        Assert.Equal("nothing-happened", (string?)report["anomalies"]![0]!["code"]);
        Assert.Equal("critical", (string?)report["anomalies"]![0]!["severity"]);

        // The close was verified (every member settled, 5 s before the report was taken), and no member was sent as
        // an unconfirmed close: without an agent there was nothing to close.
        var members = (await client.GetJsonAsync($"/api/v1/runs/{runId}"))["members"]!.AsArray();
        Assert.Equal(3, members.Count);
        Assert.All(members, m => Assert.NotNull((string?)m!["closeState"]));
        Assert.DoesNotContain(receiver.Calls, c => c.Event == "run.closeUnconfirmed");
        Assert.Single(receiver.Calls, c => c.Event == "run.criticalAnomaly");
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));
    }

    /// <summary>Regression: the snapshot job queued the alert at each execution, so a job run again (requeued from the
    /// dashboard, or queued again at start-up after a stop) sent on-call the same critical alert a second time.</summary>
    [Fact]
    public async Task AFinalReportsCriticalAlertIsSentOnceWhenItsSnapshotJobRunsAgain()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        await using var factory = Webhooks.Server(("Orchestrator:LateReportGrace", "00:00:05"));
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await Seed.YearlyWindowAsync(client);
        await Webhooks.RegisterAsync(client, receiver.Url(), ["run.criticalAnomaly"]);
        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;
        await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.Count), n => n == 1, TimeSpan.FromSeconds(45), "the critical anomaly alert");

        var job = ActivatorUtilities.CreateInstance<RunReportSnapshotJob>(factory.Services);
        await job.TakeAsync(runId, "floor-3 patch");
        await job.TakeAsync(runId, "floor-3 patch");
        await Webhooks.DeliveriesMadeAsync(factory.Services);

        var call = Assert.Single(receiver.Calls);
        Assert.Equal("run.criticalAnomaly", call.Event);
        Assert.Equal(runId, (long)JsonNode.Parse(call.Body)!["runId"]!);
        // The snapshot itself is taken again each time (a report read after a late confirmation needs that).
        Assert.Equal("snapshot", (string?)(await client.GetJsonAsync($"/api/v1/runs/{runId}/report?source=snapshot"))["source"]!["kind"]);
    }

    /// <summary>Regression: the job recorded the alert as sent before it queued the deliveries, and publishing swallowed
    /// a failure to record one in the outbox, so a store that failed there (or a kill between the two) lost the alert:
    /// the job succeeded, and its next execution found the alert recorded.</summary>
    [Fact]
    public async Task AFinalReportsCriticalAlertIsSentWhenRecordingItsDeliveryFailedOnce()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        FirstCallFails<IWebhookStore>? fault = null;
        await using var root = Webhooks.Server(("Orchestrator:LateReportGrace", "00:00:05"));
        await using var factory = root.WithWebHostBuilder(b => b.ConfigureTestServices(
            services => fault = FirstCallFails<IWebhookStore>.Decorate(services, nameof(IWebhookStore.QueueDeliveryAsync))));
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await Seed.YearlyWindowAsync(client);
        await Webhooks.RegisterAsync(client, receiver.Url(), ["run.criticalAnomaly"]);

        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;

        // The snapshot job failed at the outbox and Hangfire ran it again 5 s later.
        var call = await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.FirstOrDefault(c => c.Event == "run.criticalAnomaly")), c => c is not null, TimeSpan.FromSeconds(60), "the critical anomaly alert");
        Assert.True(fault!.Failed, "the fault was never hit: the test proves nothing");
        Assert.Equal(runId, (long)JsonNode.Parse(call!.Body)!["runId"]!);
        Assert.Empty(await factory.Services.GetRequiredService<IRunReportStore>().ListReportsPendingAsync([runId], TestContext.Current.CancellationToken));
        await Webhooks.DeliveriesMadeAsync(factory.Services);
        Assert.Single(receiver.Calls);
    }

    /// <summary>The other half of the order: a job cut short after its deliveries were in the outbox, before the alert
    /// was recorded as sent, runs again and queues no second delivery (their ids come from the run).</summary>
    [Fact]
    public async Task AFinalReportsCriticalAlertIsSentOnceWhenRecordingItAsSentFailedOnce()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        FirstCallFails<IRunReportStore>? fault = null;
        await using var root = Webhooks.Server(("Orchestrator:LateReportGrace", "00:00:05"));
        await using var factory = root.WithWebHostBuilder(b => b.ConfigureTestServices(
            services => fault = FirstCallFails<IRunReportStore>.Decorate(services, nameof(IRunReportStore.RecordReportAlertAsync))));
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await Seed.YearlyWindowAsync(client);
        await Webhooks.RegisterAsync(client, receiver.Url(), ["run.criticalAnomaly"]);
        await Webhooks.RegisterAsync(client, receiver.Url(), ["*"], name: "second");

        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;
        var reports = factory.Services.GetRequiredService<IRunReportStore>();

        // Recorded by Hangfire's second execution of the snapshot job, 5 s after the first failed.
        await ApiClient.EventuallyAsync(
            async () => fault!.Failed && (await reports.ListReportsPendingAsync([runId])).Count == 0, done => done, TimeSpan.FromSeconds(60), "the alert recorded as sent");
        await Webhooks.DeliveriesMadeAsync(factory.Services);

        var alerts = receiver.Calls.Where(c => c.Event == "run.criticalAnomaly").ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Equal(2, alerts.Select(c => c.Delivery).Distinct().Count());
        Assert.All(alerts, c => Assert.Equal(runId, (long)JsonNode.Parse(c.Body)!["runId"]!));
    }

    [Fact]
    public async Task AMemberWhoseAgentNeverConfirmsTheCloseBeforeTheExpiryIsSentAsCloseUnconfirmedByName()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        await using var site = await AgentSite.StartAsync(2, Webhooks.Server());
        await Webhooks.RegisterAsync(site.Client, receiver.Url(), ["run.closeUnconfirmed"]);
        var windowId = await site.WindowAsync();
        var runId = await site.StartRunAsync(windowId, "PT8S");
        await site.WaitRunStateAsync(runId, "Open");
        var (talker, silent) = (site.Agents[0], site.Agents[1]);
        await talker.AcknowledgeAsync((await talker.StateAsync()).Version);
        await silent.AcknowledgeAsync((await silent.StateAsync()).Version);

        // The run ends on its own; only pc-1 confirms the close, within the grace (5 s in tests).
        await site.WaitRunStateAsync(runId, "Closed");
        await talker.AcknowledgeAsync((await talker.StateAsync()).Version);

        var call = await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.FirstOrDefault(c => c.Event == "run.closeUnconfirmed")), c => c is not null, TimeSpan.FromSeconds(30), "the close-unconfirmed alert");
        Assert.True(call!.SignatureValid, "the receiver could not verify the signature");
        var body = JsonNode.Parse(call.Body)!;
        Assert.Equal(runId, (long)body["runId"]!);
        Assert.Equal("warning", (string?)body["severity"]);
        Assert.Equal("1", (string?)body["details"]!["unconfirmed"]);
        Assert.Equal("0", (string?)body["details"]!["openUntilExpiry"]);
        Assert.Equal("pc-2", (string?)body["details"]!["hostnames"]);
        Assert.Contains($"run {runId}: 1 endpoint did not confirm the close; the opening's expiry closed the port there, unobserved (pc-2)", (string?)body["text"], StringComparison.Ordinal);

        var states = (await site.RunDetailAsync(runId))["members"]!.AsArray().ToDictionary(m => (string)m!["hostname"]!, m => (string?)m!["closeState"]);
        Assert.Equal("Confirmed", states["pc-1"]);
        Assert.Equal("ClosedByExpiryUnconfirmed", states["pc-2"]);
        var report = await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/report");
        Assert.Contains(report["anomalies"]!.AsArray(), a => (string?)a!["code"] == "close-unconfirmed" && (string?)a["severity"] == "warning");
        Assert.Single(receiver.Calls);
    }

    [Fact]
    public async Task AMemberSilentAfterACloseNowIsSentAsACriticalCloseUnconfirmedWhileItsOpeningHasNotExpired()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        await using var site = await AgentSite.StartAsync(2, Webhooks.Server());
        await Webhooks.RegisterAsync(site.Client, receiver.Url(), ["run.closeUnconfirmed"]);
        var windowId = await site.WindowAsync();
        var runId = await site.StartRunAsync(windowId, "PT1H");
        await site.WaitRunStateAsync(runId, "Open");
        var (talker, silent) = (site.Agents[0], site.Agents[1]);
        await talker.AcknowledgeAsync((await talker.StateAsync()).Version);
        await silent.AcknowledgeAsync((await silent.StateAsync()).Version);

        Assert.Equal(HttpStatusCode.Accepted, (await site.Client.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/close")).Status);
        await site.WaitRunStateAsync(runId, "Closed");
        await talker.AcknowledgeAsync((await talker.StateAsync()).Version);

        var call = await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.FirstOrDefault(c => c.Event == "run.closeUnconfirmed")), c => c is not null, TimeSpan.FromSeconds(30), "the close-unconfirmed alert");
        Assert.True(call!.SignatureValid, "the receiver could not verify the signature");
        var body = JsonNode.Parse(call.Body)!;
        Assert.Equal(runId, (long)body["runId"]!);
        Assert.Equal("critical", (string?)body["severity"]);
        Assert.Equal("1", (string?)body["details"]!["openUntilExpiry"]);
        Assert.Equal("0", (string?)body["details"]!["unconfirmed"]);
        Assert.Equal("pc-2", (string?)body["details"]!["hostnames"]);
        var plannedEnd = (DateTimeOffset)(await Seed.RunAsync(site.Client, runId))["plannedEnd"]!;
        Assert.Contains(
            $"run {runId}: 1 endpoint did not confirm the close; the port may be open there until {plannedEnd.ToString("u", CultureInfo.InvariantCulture)} (pc-2)",
            (string?)body["text"], StringComparison.Ordinal);
    }
}
