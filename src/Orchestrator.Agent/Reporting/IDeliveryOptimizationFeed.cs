using Orchestrator.Protocol;

namespace Orchestrator.Agent.Reporting;

/// <summary>Delivery Optimization deltas waiting for the next report. Only the Windows agent registers one, so a Linux
/// agent's reports never carry <see cref="AgentReportV1.DeliveryOptimization"/>.</summary>
internal interface IDeliveryOptimizationFeed
{
    /// <summary>Takes everything counted since the previous take; null when nothing was. The report loop takes only
    /// when it builds a new batch, and the batch keeps what it took (same ReportId) until the server accepts it.</summary>
    DeliveryOptimizationStatsV1? Take();
}
