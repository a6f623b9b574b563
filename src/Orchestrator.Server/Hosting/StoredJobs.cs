using Hangfire;
using Hangfire.Common;

namespace Orchestrator.Server.Hosting;

/// <summary>
/// The jobs Hangfire's storage holds for start-up recovery (RunJobRecovery, DeliveryRecovery): those waiting (scheduled
/// or enqueued on any queue) and those "Processing", with their ids. Waiting is read first: a job that moves from one
/// to the other in between is seen in the first.
/// </summary>
internal sealed record StoredJobs(IReadOnlyList<Job> Waiting, IReadOnlyList<(string Id, Job Job)> Processing)
{
    /// <param name="scanned">How many of the most recent jobs per state (and per queue) are read.</param>
    public static StoredJobs Read(JobStorage storage, int scanned)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var monitor = storage.GetMonitoringApi();
        var waiting = monitor.ScheduledJobs(0, scanned).Select(j => j.Value?.Job)
            .Concat(monitor.Queues().SelectMany(q => monitor.EnqueuedJobs(q.Name, 0, scanned).Select(j => j.Value?.Job)))
            .OfType<Job>()
            .ToList();
        var processing = monitor.ProcessingJobs(0, scanned).Where(j => j.Value?.Job is not null).Select(j => (j.Key, j.Value.Job)).ToList();
        return new StoredJobs(waiting, processing);
    }
}
