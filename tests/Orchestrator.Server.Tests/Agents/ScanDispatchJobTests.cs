using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>The dashboard shows one "Dispatch scans" job per run, however many waves the run takes.</summary>
public sealed class ScanDispatchJobTests
{
    /// <summary>Regression: every wave was a new Hangfire job (one every few seconds), burying Open and Close.</summary>
    [Fact]
    public async Task ARunWhoseScansTakeManyWavesHasOneDispatchJobInHangfire()
    {
        await using var site = await AgentSite.StartAsync(6);
        var runId = await site.StartRunAsync(await site.WindowAsync(new { enabled = true, maxConcurrency = 2 }));
        await site.WaitRunStateAsync(runId, "Open");
        var tables = new ProductTables(site.Factory.DataDirectory);

        // Three waves of two: each wave goes out once the previous one reported.
        for (var wave = 1; wave <= 3; wave++)
        {
            var held = await ApiClient.EventuallyAsync(
                async () =>
                {
                    var scans = new List<(TestAgent Agent, Protocol.ScanRequestV1 Scan)>();
                    foreach (var agent in site.Agents)
                    {
                        scans.AddRange((await agent.StateAsync()).Scans.Select(s => (agent, s)));
                    }

                    return scans;
                },
                scans => scans.Count == 2,
                TimeSpan.FromSeconds(15),
                $"wave {wave}: 2 scans held");
            foreach (var (agent, scan) in held)
            {
                await agent.ReportAsync(new(Guid.NewGuid().ToString("N"), null, null, [new(scan.ScanId, "Succeeded", 0, 100)], [], []));
            }
        }

        Assert.Equal(6, await tables.CountAsync("scans", "outcome = 'Succeeded'"));
        var storage = site.Factory.Services.GetRequiredService<JobStorage>();
        var jobs = await ApiClient.EventuallyAsync(
            () => Task.FromResult(DispatchJobsOf(storage, runId)),
            found => found.Count >= 1 && found.All(j => j.State == "Succeeded"),
            TimeSpan.FromSeconds(15),
            "the dispatch job succeeded once nothing was left to scan");
        var only = Assert.Single(jobs);
        Assert.Equal("Succeeded", only.State);
    }

    /// <summary>Every job of <paramref name="runId"/> named "Dispatch scans", in any state, from Hangfire's own storage.</summary>
    private static List<(string Id, string State)> DispatchJobsOf(JobStorage storage, long runId)
    {
        var monitor = storage.GetMonitoringApi();
        var all = new List<(string Id, string State, Job? Job)>();
        all.AddRange(monitor.SucceededJobs(0, 10_000).Select(j => (j.Key, "Succeeded", j.Value?.Job)));
        all.AddRange(monitor.ProcessingJobs(0, 10_000).Select(j => (j.Key, "Processing", j.Value?.Job)));
        all.AddRange(monitor.ScheduledJobs(0, 10_000).Select(j => (j.Key, "Scheduled", j.Value?.Job)));
        all.AddRange(monitor.FailedJobs(0, 10_000).Select(j => (j.Key, "Failed", j.Value?.Job)));
        all.AddRange(monitor.DeletedJobs(0, 10_000).Select(j => (j.Key, "Deleted", j.Value?.Job)));
        foreach (var queue in monitor.Queues())
        {
            all.AddRange(monitor.EnqueuedJobs(queue.Name, 0, 10_000).Select(j => (j.Key, "Enqueued", j.Value?.Job)));
        }

        return all
            .Where(j => j.Job is { Method.Name: "DispatchScansAsync" } job && job.Args.Count > 0 && job.Args[0] is long id && id == runId)
            .Select(j => (j.Id, j.State))
            .Distinct()
            .ToList();
    }
}
