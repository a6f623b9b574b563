namespace Orchestrator.Data.Traffic;

public interface ITrafficStore
{
    /// <summary>
    /// Traffic and blocked rows kept per endpoint (of each kind) that belong to no run. Such rows count for no report;
    /// they are kept for a look at what an endpoint saw outside its windows, newest first, and without this bound an
    /// agent that is in no run would grow the database by up to 4,000 rows a report, for ever.
    /// </summary>
    const int MaxRowsOutsideRunsPerEndpoint = 1_000;

    /// <summary>
    /// How long a stored report id is remembered, so that a retry is answered as a duplicate. A retry after that is
    /// stored again; it can no longer count for a run (a report counts for the runs open when it arrives, or ended less
    /// than the late-report grace, at most an hour, before), and without this bound every report of every agent would
    /// add a row for ever (17,000 a day per agent reporting every 5 s).
    /// </summary>
    static readonly TimeSpan ReportIdRetention = TimeSpan.FromDays(1);

    /// <summary>
    /// Stores a report in one transaction, attributing each row to the run it belongs to (the endpoint's run that was
    /// open at <paramref name="now"/>, or ended less than <paramref name="lateReportGrace"/> ago). False when the
    /// report id was stored before: nothing is stored twice. In the same transaction, and for a duplicate too, records the
    /// agent's applied state (<see cref="AgentReport.Applied"/>) and the endpoint's acknowledgement of the runs it holds
    /// (<see cref="AgentReport.Acknowledge"/>, as <see cref="Runs.IRunStore.AcknowledgeAsync"/>), after the report's rows.
    /// Rows outside every run are kept up to <see cref="MaxRowsOutsideRunsPerEndpoint"/> per endpoint, the newest.
    /// </summary>
    Task<bool> StoreAsync(AgentReport report, DateTimeOffset now, TimeSpan lateReportGrace, CancellationToken cancellationToken = default);

    Task<RunTraffic> GetRunTrafficAsync(long runId, CancellationToken cancellationToken = default);
}
