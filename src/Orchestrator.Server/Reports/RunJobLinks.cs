using System.Globalization;
using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Orchestrator.Server.Runs;

namespace Orchestrator.Server.Reports;

/// <summary>
/// Finds a run's lifecycle jobs among the dashboard's most recent jobs of each state, by job type and the run id
/// (every run job's first argument), so the report links straight to their pages. Hangfire expires succeeded jobs
/// after a day and the scan only looks at the latest <see cref="Scanned"/> jobs per state, so older runs get the
/// job names and a link to the state list instead.
/// </summary>
internal sealed class RunJobLinks(JobStorage storage, ILogger<RunJobLinks> log)
{
    /// <summary>How many of the most recent jobs per state are searched.</summary>
    public const int Scanned = 300;

    public IReadOnlyList<JobLink> For(long runId, string windowName)
    {
        var found = new List<JobLink>();
        try
        {
            var monitor = storage.GetMonitoringApi();
            Collect(found, runId, "Processing", monitor.ProcessingJobs(0, Scanned).Select(j => (j.Key, (Job?)j.Value?.Job)));
            Collect(found, runId, "Scheduled", monitor.ScheduledJobs(0, Scanned).Select(j => (j.Key, (Job?)j.Value?.Job)));
            Collect(found, runId, "Failed", monitor.FailedJobs(0, Scanned).Select(j => (j.Key, (Job?)j.Value?.Job)));
            Collect(found, runId, "Succeeded", monitor.SucceededJobs(0, Scanned).Select(j => (j.Key, (Job?)j.Value?.Job)));
            foreach (var queue in monitor.Queues())
            {
                Collect(found, runId, "Enqueued", monitor.EnqueuedJobs(queue.Name, 0, Scanned).Select(j => (j.Key, (Job?)j.Value?.Job)));
            }
        }
        catch (Exception e)
        {
            // The report must render even when Hangfire's storage is busy or gone; the links are a convenience.
            log.LogWarning(e, "Could not look up the Hangfire jobs of run {RunId}", runId);
        }

        if (found.Count > 0)
        {
            return found.OrderBy(j => Stage(j.Name)).ThenBy(j => long.TryParse(j.Id, out var id) ? id : long.MaxValue).ToList();
        }

        var quoted = $"\"{windowName}\" · run {runId.ToString(CultureInfo.InvariantCulture)}";
        return
        [
            new(null, $"Open window {quoted}", "Succeeded", "/hangfire/jobs/succeeded"),
            new(null, $"Cutoff (no new scans) {quoted}", "Succeeded", "/hangfire/jobs/succeeded"),
            new(null, $"Close window {quoted}", "Succeeded", "/hangfire/jobs/succeeded"),
            new(null, $"Verify closed {quoted}", "Succeeded", "/hangfire/jobs/succeeded"),
            new(null, $"Report snapshot {quoted}", "Succeeded", "/hangfire/jobs/succeeded"),
        ];
    }

    /// <summary>The run's lifecycle order (open, scans, cutoff, close, verify, snapshot): the list reads as the run
    /// went, whatever order the jobs were created in (close and verify are scheduled when the run opens).</summary>
    private static int Stage(string name)
    {
        string[] stages = ["Open window", "Dispatch scans", "Cutoff", "Close window", "Verify closed", "Report snapshot"];
        var index = Array.FindIndex(stages, s => name.StartsWith(s, StringComparison.Ordinal));
        return index < 0 ? stages.Length : index;
    }

    /// <summary>The run id a job is about, if it is one of a run's lifecycle jobs.</summary>
    public static long? RunIdOf(Job? job) =>
        job is not null && (job.Type == typeof(RunJobs) || job.Type == typeof(RunReportSnapshotJob)) && job.Args.Count > 0 && job.Args[0] is long id ? id : null;

    /// <summary>The job's dashboard name, from its [JobDisplayName] format and arguments.</summary>
    public static string NameOf(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var format = job.Method.GetCustomAttribute<JobDisplayNameAttribute>()?.DisplayName;
        return format is null ? $"{job.Type.Name}.{job.Method.Name}" : string.Format(CultureInfo.InvariantCulture, format, [.. job.Args]);
    }

    private static void Collect(List<JobLink> into, long runId, string state, IEnumerable<(string Id, Job? Job)> jobs)
    {
        foreach (var (id, job) in jobs)
        {
            if (RunIdOf(job) == runId && into.TrueForAll(j => j.Id != id))
            {
                into.Add(new JobLink(id, NameOf(job!), state, $"/hangfire/jobs/details/{Uri.EscapeDataString(id)}"));
            }
        }
    }
}
