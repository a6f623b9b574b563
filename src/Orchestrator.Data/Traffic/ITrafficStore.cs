namespace Orchestrator.Data.Traffic;

public interface ITrafficStore
{
    /// <summary>
    /// Stores a report in one transaction, attributing each row to the run it belongs to (the endpoint's run that was
    /// open at <paramref name="now"/>, or ended less than <paramref name="lateReportGrace"/> ago). False when the
    /// report id was stored before: nothing is stored twice.
    /// </summary>
    Task<bool> StoreAsync(AgentReport report, DateTimeOffset now, TimeSpan lateReportGrace, CancellationToken cancellationToken = default);

    Task<RunTraffic> GetRunTrafficAsync(long runId, CancellationToken cancellationToken = default);
}
