using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Core;
using Orchestrator.Data;
using Orchestrator.Data.Notifications;
using Orchestrator.Server.Access;
using Orchestrator.Server.Api;

namespace Orchestrator.Server.Notifications;

/// <summary>/api/v1/webhooks (admin): webhook targets, their delivery attempts, and a test event.</summary>
internal static class WebhooksApi
{
    public const int MaxDeliveries = 1_000;

    public static RouteGroupBuilder MapWebhooksApi(this RouteGroupBuilder api)
    {
        // Admin only, reads included: a target's URL can carry a token (Slack and Teams URLs do).
        var group = api.MapGroup("/webhooks").WithTags("Notifications").RequireAuthorization(Policies.Admin);
        group.MapGet("/", async (IWebhookStore store, CancellationToken ct) => TypedResults.Ok((await store.ListAsync(ct)).Select(ToResponse).ToArray()));
        group.MapGet("/{id:long}", async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> (long id, IWebhookStore store, CancellationToken ct) =>
            await store.GetAsync(id, ct) is { } w ? TypedResults.Ok(ToResponse(w)) : Problems.NotFound($"Webhook {id}"));
        group.MapPost("/", CreateAsync);
        group.MapPut("/{id:long}", UpdateAsync);
        group.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, IWebhookStore store, CurrentActor actor, TimeProvider time, CancellationToken ct) =>
            await store.DeleteAsync(id, actor.Name, time.GetUtcNow(), ct) ? TypedResults.NoContent() : Problems.NotFound($"Webhook {id}"));
        group.MapGet("/{id:long}/deliveries", DeliveriesAsync);
        group.MapPost("/{id:long}/test", TestAsync);
        return api;
    }

    private static async Task<Results<Created<WebhookResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        WebhookRequest request, IWebhookStore store, WebhookSecrets secrets, IOptions<NotificationOptions> options, CurrentActor actor, TimeProvider time, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (WebhookValidation.Read(request, creating: true, options.Value, secrets, errors) is not { } webhook)
        {
            return Problems.Invalid(errors);
        }

        try
        {
            var created = await store.CreateAsync(webhook, actor.Name, time.GetUtcNow(), ct);
            return TypedResults.Created($"/api/v1/webhooks/{created.Id}", ToResponse(created));
        }
        catch (ConflictException e)
        {
            return Problems.Conflict(e.Message);
        }
    }

    private static async Task<Results<Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, WebhookRequest request, IWebhookStore store, WebhookSecrets secrets, IOptions<NotificationOptions> options, CurrentActor actor, TimeProvider time, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is null)
        {
            return Problems.NotFound($"Webhook {id}");
        }

        var errors = new List<FieldError>();
        if (WebhookValidation.Read(request, creating: false, options.Value, secrets, errors) is not { } webhook)
        {
            return Problems.Invalid(errors);
        }

        try
        {
            return await store.UpdateAsync(id, webhook, actor.Name, time.GetUtcNow(), ct) is { } updated ? TypedResults.Ok(ToResponse(updated)) : Problems.NotFound($"Webhook {id}");
        }
        catch (ConflictException e)
        {
            return Problems.Conflict(e.Message);
        }
    }

    private static async Task<Results<Ok<DeliveryResponse[]>, ValidationProblem, ProblemHttpResult>> DeliveriesAsync(long id, int? limit, IWebhookStore store, CancellationToken ct)
    {
        if (limit is < 1 or > MaxDeliveries)
        {
            return Problems.Invalid("limit", $"{limit} is out of range; accepted 1-{MaxDeliveries}");
        }

        if (await store.GetAsync(id, ct) is null)
        {
            return Problems.NotFound($"Webhook {id}");
        }

        return TypedResults.Ok((await store.ListAttemptsAsync(id, limit ?? 100, ct)).Select(ToResponse).ToArray());
    }

    /// <summary>Queues a "test" event to the webhook (202): the attempts show in its deliveries once made.</summary>
    private static async Task<Results<Accepted<TestDeliveryResponse>, ProblemHttpResult>> TestAsync(
        long id, IWebhookStore store, AlertPublisher publisher, CurrentActor actor, TimeProvider time, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } webhook)
        {
            return Problems.NotFound($"Webhook {id}");
        }

        var e = new NotificationEvent(NotificationEvents.Test, "info", $"Test event for webhook \"{webhook.Name}\", sent by {actor.Name}", time.GetUtcNow(), null, null);
        var deliveryId = await publisher.EnqueueAsync(webhook.Id, e);
        return TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", new TestDeliveryResponse(id, deliveryId, e.Event));
    }

    public static WebhookResponse ToResponse(WebhookRecord w) => new(w.Id, w.Name, w.Url, w.Format, w.Events, w.Enabled, w.CreatedAt, w.UpdatedAt);

    public static DeliveryResponse ToResponse(DeliveryAttemptRecord d) =>
        new(d.Id, d.WebhookId, d.WebhookName, d.DeliveryId, d.Event, d.RunId, d.Attempt, d.At, d.StatusCode, d.LatencyMs, d.Succeeded, d.Error);
}
