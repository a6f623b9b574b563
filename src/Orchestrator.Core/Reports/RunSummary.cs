namespace Orchestrator.Core.Reports;

/// <summary>The counts at the top of a report.</summary>
public sealed record RunSummary(
    int Members,
    int OpenAcknowledged,
    int CloseConfirmed,
    int CloseUnconfirmed,
    int Online,
    int Offline,
    int WithoutAgent,
    int ScansSucceeded,
    int ScansFailed,
    int ScansRunning,
    int ScansNotDispatched,
    long BytesServed,
    long BytesReceived,
    long BlockedAttempts,
    long BlockedFromOutside,
    TimeSpan? OpenDelay,
    TimeSpan? CloseDelay,
    int CloseUnconfirmedMayBeOpen = 0,
    int CloseConfirmedLate = 0)
{
    public static RunSummary Of(RunFacts run, IReadOnlyList<EndpointRow> rows, IReadOnlyList<Anomaly> anomalies)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(anomalies);
        var memberAddresses = run.Members.SelectMany(m => m.Addresses).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var memberIds = run.Members.Select(m => m.EndpointId).ToHashSet();
        return new RunSummary(
            rows.Count,
            rows.Count(r => r.OpenAckLatency is not null),
            rows.Count(r => r.Close is CloseStatus.Confirmed or CloseStatus.ConfirmedLate),
            rows.Count(r => r.Close == CloseStatus.ClosedByExpiryUnconfirmed),
            rows.Count(r => r.Agent == AgentStatus.Online),
            rows.Count(r => r.Agent == AgentStatus.Offline),
            rows.Count(r => r.Agent == AgentStatus.NoAgent),
            rows.Count(r => r.Scan == ScanStatus.Succeeded),
            rows.Count(r => r.ScanFailed),
            rows.Count(r => r.Scan == ScanStatus.Running),
            rows.Count(r => r.Scan == ScanStatus.NotDispatched),
            Counters.Sum(rows, r => r.BytesServed),
            Counters.Sum(rows, r => r.BytesReceived),
            Counters.Sum(run.Blocked, b => b.Count),
            Counters.Sum(run.Blocked.Where(b => !memberAddresses.Contains(b.SourceAddress) && !(b.SourceEndpointId is { } id && memberIds.Contains(id))), b => b.Count),
            run.OpenedAt - run.PlannedStart,
            run.ClosedAt - run.PlannedEnd,
            rows.Count(r => r.Close == CloseStatus.UnconfirmedMayBeOpen),
            rows.Count(r => r.Close == CloseStatus.ConfirmedLate));
    }
}
