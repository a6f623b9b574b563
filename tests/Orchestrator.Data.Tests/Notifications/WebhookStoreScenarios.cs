using Orchestrator.Data.Notifications;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Notifications;

public abstract class WebhookStoreScenarios : StoreScenarios
{
    [Fact]
    public async Task AnUpdateWithoutASecretKeepsTheStoredOneAndADeletedWebhookFreesItsNameButKeepsItsDeliveries()
    {
        await using var db = await NewBackendAsync();
        var store = db.Webhooks;
        var t0 = db.Time.GetUtcNow();
        var created = await store.CreateAsync(new NewWebhook("on-call", "https://a.example/x", "json", ["*"], "protected-1", true), "alice", t0, Ct);

        var updated = await store.UpdateAsync(created.Id, new NewWebhook("on-call", "https://a.example/y", "slack", ["window.missed"], null, false), "bob", t0.AddMinutes(1), Ct);
        await store.RecordAttemptAsync(new DeliveryAttempt(created.Id, "d1", "window.missed", 7, 1, t0.AddMinutes(2), 503, 12, false, "HTTP 503"), Ct);
        await store.RecordAttemptAsync(new DeliveryAttempt(created.Id, "d1", "window.missed", 7, 2, t0.AddMinutes(3), 200, 8, true, null), Ct);
        Assert.True(await store.DeleteAsync(created.Id, "alice", t0.AddMinutes(4), Ct));
        var again = await store.CreateAsync(new NewWebhook("ON-CALL", "https://b.example/", "teams", ["*"], "protected-2", true), "alice", t0.AddMinutes(5), Ct);

        Assert.Equal("protected-1", updated!.ProtectedSecret);
        Assert.Equal(("https://a.example/y", "slack", false), (updated.Url, updated.Format, updated.Enabled));
        Assert.Equal(["window.missed"], updated.Events);
        Assert.Equal([again.Id], (await store.ListAsync(Ct)).Select(w => w.Id));
        var attempts = await store.ListAttemptsForRunAsync(7, Ct);
        Assert.Equal([(1, 503, false), (2, 200, true)], attempts.Select(a => (a.Attempt, a.StatusCode ?? 0, a.Succeeded)));
        Assert.All(attempts, a => Assert.Equal("on-call", a.WebhookName));
        Assert.Equal([2, 1], (await store.ListAttemptsAsync(created.Id, 10, Ct)).Select(a => a.Attempt));
        await Assert.ThrowsAsync<ConflictException>(() => store.CreateAsync(new NewWebhook("on-call", "https://c.example/", "json", ["*"], "p", true), "x", t0, Ct));
    }

    [Fact]
    public async Task AQueuedDeliveryIsListedUntilSettledOldestFirstAndQueuingItTwiceKeepsTheFirst()
    {
        await using var db = await NewBackendAsync();
        var store = db.Webhooks;
        var t0 = db.Time.GetUtcNow();
        var webhook = await store.CreateAsync(new NewWebhook("on-call", "https://a.example/x", "json", ["*"], "protected-1", true), "alice", t0, Ct);
        var later = new QueuedDelivery("d-later", webhook.Id, """{"event":"run.closed"}""", t0.AddSeconds(2));
        var first = new QueuedDelivery("d-first", webhook.Id, """{"event":"run.opened"}""", t0.AddSeconds(1));

        var recorded = new[]
        {
            await store.QueueDeliveryAsync(later, Ct),
            await store.QueueDeliveryAsync(first, Ct),
            await store.QueueDeliveryAsync(first with { Payload = "{}" }, Ct),
        };
        var queued = await store.ListUnsettledDeliveriesAsync(10, Ct);
        var limited = await store.ListUnsettledDeliveriesAsync(1, Ct);
        await store.SettleDeliveryAsync("d-first", t0.AddSeconds(3), Ct);
        await store.SettleDeliveryAsync("d-unknown", t0.AddSeconds(3), Ct);

        Assert.Equal([true, true, false], recorded);
        Assert.Equal([first, later], queued);
        Assert.Equal([first], limited);
        Assert.Equal([later], await store.ListUnsettledDeliveriesAsync(10, Ct));
    }
}

public sealed class WebhookStoreScenarios_Sqlite : WebhookStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class WebhookStoreScenarios_Postgres(PostgresClusterFixture cluster) : WebhookStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
