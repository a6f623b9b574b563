using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Orchestrator.Data.Notifications;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Notifications;

/// <summary>
/// Once the server has started: every webhook delivery the outbox holds unsettled has a job. A delivery with no job (a
/// <c>storage copy-to-postgres</c> does not take Hangfire's jobs) is queued again under its own id; one whose job was cut
/// short by a kill ("Processing" in Hangfire's SQLite storage for its 30-minute invisibility timeout) is requeued, where
/// the storage does not return such jobs itself. Its attempts start again from the first: the receiver may see an event
/// twice under the same delivery id, never not at all.
/// </summary>
internal sealed class DeliveryRecovery(IWebhookStore webhooks, AlertPublisher publisher, JobStorage storage, IBackgroundJobClient jobs, ILogger<DeliveryRecovery> log)
{
    /// <summary>How many unsettled deliveries, and how many of the most recent jobs per state, are looked at.</summary>
    private const int Scanned = 1_000;

    /// <param name="requeueCutShort">Requeue "Processing" jobs (the storage does not return a dead process's jobs).</param>
    /// <param name="cancellationToken">The server's stop.</param>
    public async Task RecoverAsync(bool requeueCutShort, CancellationToken cancellationToken)
    {
        var unsettled = await webhooks.ListUnsettledDeliveriesAsync(Scanned, cancellationToken);
        if (unsettled.Count == 0)
        {
            return;
        }

        var stored = StoredJobs.Read(storage, Scanned);
        var waiting = stored.Waiting.Select(DeliveryOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var cutShort = stored.Processing
            .Select(j => (j.Id, Delivery: DeliveryOf(j.Job)))
            .Where(j => j.Delivery is not null)
            .DistinctBy(j => j.Delivery)
            .ToDictionary(j => j.Delivery!, j => j.Id, StringComparer.Ordinal);

        var (requeued, queued) = (0, 0);
        foreach (var delivery in unsettled.Where(d => !waiting.Contains(d.DeliveryId)))
        {
            if (cutShort.TryGetValue(delivery.DeliveryId, out var jobId))
            {
                if (requeueCutShort)
                {
                    jobs.Requeue(jobId);
                    requeued++;
                }

                continue;
            }

            try
            {
                publisher.Requeue(delivery);
            }
            catch (JsonException e)
            {
                // Only a hand-edited row gets here; the deliveries after it are still recovered.
                log.LogError(e, "Webhook delivery {Delivery}: its stored event cannot be read; it is not queued again", delivery.DeliveryId);
                continue;
            }

            queued++;
            log.LogWarning("Webhook delivery {Delivery} (webhook {Webhook}, queued {QueuedAt:u}) had no job; it is queued again", delivery.DeliveryId, delivery.WebhookId, delivery.QueuedAt);
        }

        log.LogInformation(
            "Webhook deliveries checked at start-up: {Unsettled} not settled, {Requeued} job(s) requeued, {Queued} queued again, the others waiting or running",
            unsettled.Count, requeued, queued);
    }

    private static string? DeliveryOf(Job job) =>
        job is { Type: var type, Method.Name: nameof(WebhookDeliveryJob.DeliverAsync) } && type == typeof(WebhookDeliveryJob) && job.Args.Count > 1 && job.Args[1] is string id ? id : null;
}
