using System.Collections.Concurrent;

namespace Orchestrator.Server.Runs;

/// <summary>
/// The runs one kind of job is working on in this process. A second execution of the job for the same run (Hangfire
/// hands a job out again, start-up recovery requeued it) finds the run taken and leaves it to the first.
/// </summary>
internal sealed class RunsInHand
{
    private readonly ConcurrentDictionary<long, byte> _runs = new();

    /// <summary>False when another execution holds the run; otherwise the caller holds it until <see cref="Release"/>.</summary>
    public bool TryTake(long runId) => _runs.TryAdd(runId, 0);

    public void Release(long runId) => _runs.TryRemove(runId, out _);
}
