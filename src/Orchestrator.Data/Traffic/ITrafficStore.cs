namespace Orchestrator.Data.Traffic;

public interface ITrafficStore
{
    /// <summary>
    /// Stores a report in one transaction, attributing each row to the run it belongs to (the endpoint's run that was
    /// open at <paramref name="now"/>, or ended less than <paramref name="lateReportGrace"/> ago). False when the
    /// report id was stored before: nothing is stored twice. In the same transaction, and for a duplicate too, records the
    /// agent's applied state (<see cref="AgentReport.Applied"/>) and the endpoint's acknowledgement of the runs it holds
    /// (<see cref="AgentReport.Acknowledge"/>, as <see cref="Runs.IRunStore.AcknowledgeAsync"/>), after the report's rows.
    /// </summary>
    Task<bool> StoreAsync(AgentReport report, DateTimeOffset now, TimeSpan lateReportGrace, CancellationToken cancellationToken = default);

    Task<RunTraffic> GetRunTrafficAsync(long runId, CancellationToken cancellationToken = default);
}
