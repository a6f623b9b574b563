using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Notifications;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Notifications;

public sealed class WebhookDeliveryTests
{
    [Fact]
    public async Task ATestEventReachesARealReceiverSignedAndItsAttemptIsListedWhileTheSecretIsNeverReturned()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        var id = await Webhooks.RegisterAsync(client, receiver.Url(), ["run.opened"]);

        var (status, accepted) = await client.SendAsync(HttpMethod.Post, $"/api/v1/webhooks/{id}/test");

        Assert.Equal(HttpStatusCode.Accepted, status);
        var deliveries = await ApiClient.EventuallyAsync(
            () => client.GetJsonAsync($"/api/v1/webhooks/{id}/deliveries"), d => d.AsArray().Count == 1, TimeSpan.FromSeconds(20), "the test delivery recorded");
        var call = Assert.Single(receiver.Calls);
        Assert.True(call.SignatureValid, "the receiver could not verify the signature");
        Assert.Equal("test", call.Event);
        Assert.Equal((string?)accepted!["deliveryId"], call.Delivery);
        var body = JsonNode.Parse(call.Body)!;
        Assert.Equal("test", (string?)body["event"]);
        Assert.Equal(call.Delivery, (string?)body["id"]);
        var attempt = deliveries[0]!;
        Assert.True((bool)attempt["succeeded"]!);
        Assert.Equal(200, (int)attempt["statusCode"]!);
        Assert.Equal(1, (int)attempt["attempt"]!);
        Assert.True((long)attempt["latencyMs"]! >= 0);
        // Delivered, the delivery leaves the outbox: a later start has nothing to queue again.
        var outbox = factory.Services.GetRequiredService<IWebhookStore>();
        await ApiClient.EventuallyAsync(
            () => outbox.ListUnsettledDeliveriesAsync(10, TestContext.Current.CancellationToken), u => u.Count == 0, TimeSpan.FromSeconds(10), "the delivery settled");

        foreach (var path in new[] { "/api/v1/webhooks", $"/api/v1/webhooks/{id}", $"/api/v1/webhooks/{id}/deliveries", "/api/v1/audit?limit=50" })
        {
            var text = (await client.GetJsonAsync(path)).ToJsonString();
            Assert.DoesNotContain(Webhooks.Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"secret\":", text, StringComparison.OrdinalIgnoreCase);
        }

        var stored = await File.ReadAllBytesAsync(Path.Combine(factory.DataDirectory, "orchestrator.db"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(Webhooks.Secret, System.Text.Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeliveryQueuedAgainAfterItsFirstJobSettledItIsNotSentTwice()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        var id = await Webhooks.RegisterAsync(client, receiver.Url(), ["run.opened"]);
        var (_, accepted) = await client.SendAsync(HttpMethod.Post, $"/api/v1/webhooks/{id}/test");
        await Webhooks.DeliveriesMadeAsync(factory.Services);
        var deliveryId = (string)accepted!["deliveryId"]!;
        Assert.Equal(deliveryId, Assert.Single(receiver.Calls).Delivery);

        // A second job for the same delivery, as a start-up recovery queues it when it listed the delivery unsettled
        // just before the first job settled it.
        var again = new NotificationEvent(NotificationEvents.Test, "info", "the same test event", DateTimeOffset.UtcNow, null, null);
        await ActivatorUtilities.CreateInstance<WebhookDeliveryJob>(factory.Services).DeliverAsync(id, deliveryId, again);

        Assert.Single(receiver.Calls);
    }

    [Fact]
    public async Task AReceiverThatFailsIsRetriedWithGrowingDelaysAndEveryAttemptIsRecorded()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        receiver.Answer = (_, n, _) => Task.FromResult(n < 3 ? (503, "busy") : (200, "{}"));
        await using var factory = Webhooks.Server(("Orchestrator:Notifications:MaxAttempts", "4"), ("Orchestrator:Notifications:FirstRetryDelay", "00:00:00.500"));
        using var client = factory.CreateClient();
        var id = await Webhooks.RegisterAsync(client, receiver.Url(), ["*"]);

        await client.SendAsync(HttpMethod.Post, $"/api/v1/webhooks/{id}/test");

        var attempts = (await ApiClient.EventuallyAsync(
            () => client.GetJsonAsync($"/api/v1/webhooks/{id}/deliveries"), d => d.AsArray().Any(a => (bool)a!["succeeded"]!), TimeSpan.FromSeconds(30), "a delivered attempt"))
            .AsArray().Reverse().ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => (int)a!["attempt"]!));
        Assert.Equal([503, 503, 200], attempts.Select(a => (int)a!["statusCode"]!));
        Assert.Equal([false, false, true], attempts.Select(a => (bool)a!["succeeded"]!));
        Assert.Contains("503", (string?)attempts[0]!["error"], StringComparison.Ordinal);
        Assert.Single(attempts.Select(a => (string?)a!["deliveryId"]).Distinct());

        // Exponential backoff from 0.5 s: the receiver saw the first retry after 0.5 s and the second after 1 s.
        var times = receiver.Calls.Select(c => c.At).ToList();
        Assert.Equal(3, times.Count);
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(450), $"first retry after {(times[1] - times[0]).TotalMilliseconds} ms");
        Assert.True(times[2] - times[1] >= TimeSpan.FromMilliseconds(950), $"second retry after {(times[2] - times[1]).TotalMilliseconds} ms");
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));

        // Each attempt is counted on /metrics by outcome and event.
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        double Count(string outcome) => metrics.Split('\n')
            .Where(l => l.StartsWith("orchestrator_webhook_deliveries_total{", StringComparison.Ordinal)
                && l.Contains("event=\"test\"", StringComparison.Ordinal) && l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Sum();
        Assert.True(Count("failed") == 2, metrics);
        Assert.True(Count("delivered") >= 1, metrics);
    }

    [Fact]
    public async Task AReceiverThatNeverAnswersCountsAsATimedOutAttempt()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        receiver.Answer = (_, _, ct) => Receiver.HangAsync(ct);
        await using var factory = Webhooks.Server(("Orchestrator:Notifications:MaxAttempts", "2"), ("Orchestrator:Notifications:AttemptTimeout", "00:00:01"));
        using var client = factory.CreateClient();
        var id = await Webhooks.RegisterAsync(client, receiver.Url(), ["*"]);

        await client.SendAsync(HttpMethod.Post, $"/api/v1/webhooks/{id}/test");

        var attempts = await ApiClient.EventuallyAsync(
            () => client.GetJsonAsync($"/api/v1/webhooks/{id}/deliveries"), d => d.AsArray().Count == 2, TimeSpan.FromSeconds(30), "two attempts");
        Assert.All(attempts.AsArray(), a =>
        {
            Assert.False((bool)a!["succeeded"]!);
            Assert.Null(a["statusCode"]);
            Assert.Contains("no answer within 1 s", (string?)a["error"], StringComparison.Ordinal);
            Assert.InRange((long)a["latencyMs"]!, 900, 5_000);
        });
        // Given up after its last attempt, the delivery is settled too: a later start does not try it again.
        var outbox = factory.Services.GetRequiredService<IWebhookStore>();
        await ApiClient.EventuallyAsync(
            () => outbox.ListUnsettledDeliveriesAsync(10, TestContext.Current.CancellationToken), u => u.Count == 0, TimeSpan.FromSeconds(10), "the delivery settled");
    }

    [Fact]
    public async Task SlackAndTeamsFormatsCarryTheEventTextAsTheirIncomingWebhooksExpect()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        var slack = await Webhooks.RegisterAsync(client, receiver.Url("/slack"), ["*"], "slack", "slack");
        var teams = await Webhooks.RegisterAsync(client, receiver.Url("/teams"), ["*"], "teams", "teams");

        await client.SendAsync(HttpMethod.Post, $"/api/v1/webhooks/{slack}/test");
        await client.SendAsync(HttpMethod.Post, $"/api/v1/webhooks/{teams}/test");

        await ApiClient.EventuallyAsync(() => Task.FromResult(receiver.Calls.Count), n => n == 2, TimeSpan.FromSeconds(20), "both deliveries");
        var slackBody = JsonNode.Parse(receiver.Calls.Single(c => c.Path == "/slack").Body)!.AsObject();
        Assert.Equal(["text"], slackBody.Select(p => p.Key));
        Assert.Contains("Test event for webhook \"slack\"", (string?)slackBody["text"], StringComparison.Ordinal);
        var teamsBody = JsonNode.Parse(receiver.Calls.Single(c => c.Path == "/teams").Body)!;
        Assert.Equal("MessageCard", (string?)teamsBody["@type"]);
        Assert.Contains("Test event for webhook \"teams\"", (string?)teamsBody["text"], StringComparison.Ordinal);
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));
    }

    [Fact]
    public async Task LoopbackTargetsAreRefusedByDefaultNamingTheSetting()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();

        var (status, problem) = await client.PostAsync("/api/v1/webhooks", new { name = "local", url = "http://127.0.0.1:9/x", events = new[] { "*" }, secret = Webhooks.Secret });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("AllowLoopbackTargets", (string?)problem!["errors"]!["url"]![0], StringComparison.Ordinal);
        Assert.Empty((await client.GetJsonAsync("/api/v1/webhooks")).AsArray());
    }

    [Fact]
    public async Task WebhooksNeedAnAdminKey()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var key = (string?)(await admin.CreateAsync("/api/v1/keys", new { name = "ops", role = "operator" }))["key"];
        using var operatorClient = factory.CreateAnonymousClient();
        operatorClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var anonymous = factory.CreateAnonymousClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.SendAsync(HttpMethod.Get, "/api/v1/webhooks")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsync("/api/v1/webhooks", new { name = "x" })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(HttpMethod.Get, "/api/v1/webhooks")).Status);
    }
}
