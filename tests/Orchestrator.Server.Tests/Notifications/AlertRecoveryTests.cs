using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orchestrator.Data.Notifications;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Postgres;

namespace Orchestrator.Server.Tests.Notifications;

/// <summary>
/// A lifecycle alert is published after its run's change commits, and publishing never fails the lifecycle step: a
/// store error at that point (or a stop) used to lose the alert for good. The next start publishes the alerts of open
/// and recently closed runs (closed within a day) again from what the runs store, and one that was sent is not sent
/// twice. Two in-process servers, one after the other, on one PostgreSQL database; the first one's outbox write fails
/// once.
/// </summary>
public sealed class AlertRecoveryTests(PostgresClusterFixture postgres)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnOpenedAlertLostToAFailedOutboxWriteIsSentAtTheNextStartAndTheClosedOneThatWasSentIsNotSentAgain()
    {
        var database = await postgres.CreateDatabaseAsync("alert_recovery", Token);
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        long runId;
        FirstCallFails<IWebhookStore>? fault = null;
        await using (var root = Server(database))
        {
            await using var factory = root.WithWebHostBuilder(b => b.ConfigureTestServices(
                services => fault = FirstCallFails<IWebhookStore>.Decorate(services, nameof(IWebhookStore.QueueDeliveryAsync))));
            using var client = factory.CreateClient();
            await Seed.SiteAsync(client);
            var windowId = await Seed.YearlyWindowAsync(client);
            // run.opened is the first delivery the outbox is asked to record: the fault fails it, and the run opens anyway.
            await Webhooks.RegisterAsync(client, receiver.Url(), ["run.opened", "run.closed"]);

            runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;
            await ApiClient.EventuallyAsync(
                () => Task.FromResult(receiver.Calls.Any(c => c.Event == "run.closed")), sent => sent, TimeSpan.FromSeconds(30), $"run {runId}'s run.closed alert");
            await Webhooks.DeliveriesMadeAsync(factory.Services);
            Assert.True(fault!.Failed, "the fault was never hit: the test proves nothing");
            Assert.DoesNotContain(receiver.Calls, c => c.Event == "run.opened");
            Assert.Equal(1, await OutboxRowsAsync(database));

            // A run closed more than a day before is left alone: nothing more is recorded in the outbox.
            var dayLater = new FakeTimeProvider(DateTimeOffset.UtcNow + AlertRecovery.MaxAge + TimeSpan.FromMinutes(1));
            await ActivatorUtilities.CreateInstance<AlertRecovery>(factory.Services, (TimeProvider)dayLater).RecoverAsync(Token);
            Assert.Equal(1, await OutboxRowsAsync(database));
        }

        await using var again = Server(database);
        using var againClient = again.CreateClient();
        var opened = await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.FirstOrDefault(c => c.Event == "run.opened")),
            c => c is not null,
            TimeSpan.FromSeconds(30),
            () => $"run {runId}'s lost run.opened alert, at the next start (received: {string.Join(", ", receiver.Calls.Select(c => c.Event))})");
        var body = JsonNode.Parse(opened!.Body)!;
        Assert.Equal(runId, (long)body["runId"]!);
        Assert.Equal("3", (string?)body["details"]!["members"]);

        // Published once more (a third start, a second node): nothing is recorded or sent twice.
        await again.Services.GetRequiredService<AlertRecovery>().RecoverAsync(Token);
        Assert.Equal(2, await OutboxRowsAsync(database));
        await Webhooks.DeliveriesMadeAsync(again.Services);
        Assert.Equal(["run.closed", "run.opened"], receiver.Calls.Select(c => c.Event).Order(StringComparer.Ordinal));
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));
    }

    /// <summary>The deliveries ever recorded: the outbox keeps a settled one.</summary>
    private static async Task<long> OutboxRowsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Token);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM orchestrator.webhook_outbox", connection);
        return (long)(await count.ExecuteScalarAsync(Token))!;
    }

    private static OrchestratorFactory Server(string database)
    {
        var factory = Webhooks.Server();
        factory.PostgresConnectionString = database;
        return factory;
    }
}
