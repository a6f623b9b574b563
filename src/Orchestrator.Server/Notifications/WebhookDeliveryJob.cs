using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hangfire;
using Microsoft.Extensions.Options;
using Orchestrator.Data.Notifications;
using Orchestrator.Server.Hosting;
using Polly;
using Polly.Retry;

namespace Orchestrator.Server.Notifications;

/// <summary>
/// Delivers one event to one webhook: POSTs the signed body, retrying with exponential backoff (Polly) on a network
/// error, a timeout or a non-2xx answer, and records every attempt (status, latency, error). Hangfire's own retries
/// are off: a repeat would deliver the event again under the same id, which the receiver may treat as a duplicate.
/// Once delivered or given up (or its webhook is gone) the delivery is settled in the outbox; until then a server start
/// queues it again if its job was lost (<see cref="DeliveryRecovery"/>), and a job for a settled delivery sends nothing.
/// </summary>
internal sealed class WebhookDeliveryJob(
    IWebhookStore webhooks,
    WebhookSecrets secrets,
    IHttpClientFactory http,
    TimeProvider time,
    IOptions<NotificationOptions> options,
    IOptions<OrchestratorOptions> server,
    Metrics.OrchestratorMetrics metrics,
    ILogger<WebhookDeliveryJob> log)
{
    private readonly NotificationOptions _options = options.Value;

    [JobDisplayName("Webhook {0}: {2}")]
    [AutomaticRetry(Attempts = 0)]
    [Queue(NotificationOptions.Queue)]
    public async Task DeliverAsync(long webhookId, string deliveryId, NotificationEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);

        // A second job for a delivery already made or given up: a start-up recovery that listed the delivery unsettled
        // just before its first job settled it queues it again. That job sends nothing.
        if (await webhooks.IsDeliverySettledAsync(deliveryId))
        {
            log.LogInformation("Webhook delivery {Delivery} was settled by an earlier job; this one sends nothing", deliveryId);
            return;
        }

        if (await webhooks.GetAsync(webhookId) is not { } webhook)
        {
            await webhooks.SettleDeliveryAsync(deliveryId, time.GetUtcNow());
            return;
        }

        var secret = secrets.Unprotect(webhook.ProtectedSecret);
        var reportUrl = e.RunId is { } runId ? string.Create(CultureInfo.InvariantCulture, $"{server.Value.PublicBase}/reports/runs/{runId}") : null;
        var body = WebhookFormats.Body(webhook.Format, e, deliveryId, reportUrl);
        var client = http.CreateClient(OutboundHttp.ClientName);
        var attempt = 0;
        var pipeline = new ResiliencePipelineBuilder<bool> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<bool>
            {
                MaxRetryAttempts = _options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                // No jitter: one receiver gets one job per webhook, not a herd, and the delays stay what the docs say.
                UseJitter = false,
                Delay = _options.FirstRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result == false || args.Outcome.Exception is not null),
            })
            .Build();

        var delivered = await pipeline.ExecuteAsync(async ct => await AttemptAsync(client, webhook, deliveryId, e, body, secret, ++attempt, ct), CancellationToken.None);
        if (!delivered)
        {
            log.LogWarning("Webhook {Webhook} ({Id}): event {Event} not delivered after {Attempts} attempts", webhook.Name, webhook.Id, e.Event, attempt);
        }

        await webhooks.SettleDeliveryAsync(deliveryId, time.GetUtcNow());
    }

    private async Task<bool> AttemptAsync(HttpClient client, WebhookRecord webhook, string deliveryId, NotificationEvent e, string body, string secret, int attempt, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var at = time.GetUtcNow();
        int? status = null;
        string? error = null;
        var timedOut = false;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.AttemptTimeout);
        try
        {
            var timestamp = WebhookSignature.Timestamp(time.GetUtcNow());
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
            request.Headers.Add(WebhookSignature.EventHeader, e.Event);
            request.Headers.Add(WebhookSignature.DeliveryHeader, deliveryId);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = $"HTTP {status} {response.ReasonPhrase}";
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            error = $"no answer within {_options.AttemptTimeout.TotalSeconds:0.###} s";
            timedOut = true;
        }
        catch (HttpRequestException ex)
        {
            error = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
        }

        var latency = (long)time.GetElapsedTime(started).TotalMilliseconds;
        var succeeded = error is null;
        metrics.WebhookDelivery(succeeded ? "delivered" : timedOut ? "timeout" : "failed", e.Event);
        await webhooks.RecordAttemptAsync(new DeliveryAttempt(webhook.Id, deliveryId, e.Event, e.RunId, attempt, at, status, latency, succeeded, error), CancellationToken.None);
        return succeeded;
    }
}
