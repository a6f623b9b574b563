using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Orchestrator.Server.Metrics;

/// <summary>
/// Every instrument the server exports on /metrics (docs/operations.md lists them with their Prometheus names). Counters
/// and the histogram are fed by the code that does the work; the gauges read <see cref="FleetSnapshot"/>, which the
/// scrape refreshes from the database just before the exporter collects.
/// </summary>
internal sealed class OrchestratorMetrics
{
    /// <summary>The meter's name; the OpenTelemetry meter provider listens to it.</summary>
    public const string MeterName = "Orchestrator";

    private readonly Counter<long> _reportRows;
    private readonly Counter<long> _peerBytesServed;
    private readonly Counter<long> _blockedAttempts;
    private readonly Counter<long> _scanOutcomes;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Histogram<double> _propagation;
    private readonly TimeProvider _time;

    /// <summary>Per endpoint: when its desired state first changed since its agent last acknowledged one (a timestamp of
    /// <see cref="TimeProvider.GetTimestamp"/>). One entry per endpoint at most, removed at the acknowledgement.</summary>
    private readonly ConcurrentDictionary<long, long> _changedAt = new();

    public OrchestratorMetrics(IMeterFactory meters, FleetSnapshot fleet, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(fleet);
        _time = time;
        var meter = meters.Create(MeterName);
        _reportRows = meter.CreateCounter<long>("orchestrator.report.rows", description: "Rows stored from agent reports (kind: traffic, blocked, scan); a repeated report adds none.");
        _peerBytesServed = meter.CreateCounter<long>("orchestrator.peer.bytes_served", description: "Bytes endpoints reported serving to their peers.");
        _blockedAttempts = meter.CreateCounter<long>("orchestrator.blocked.attempts", description: "Connection attempts to the peering ports that endpoints reported blocking.");
        _scanOutcomes = meter.CreateCounter<long>("orchestrator.scan.outcomes", description: "Scan outcomes agents reported (outcome: Succeeded, Failed, TimedOut, ...).");
        _webhookDeliveries = meter.CreateCounter<long>("orchestrator.webhook.deliveries", description: "Webhook delivery attempts (outcome: delivered, failed, ...).");
        _propagation = meter.CreateHistogram(
            "orchestrator.desired_state.propagation",
            unit: "s",
            description: "From a change of an endpoint's desired state to its agent acknowledging the applied state.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
        meter.CreateObservableGauge("orchestrator.runs",
            () => fleet.Current.RunsByState.Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>("state", s.Key))),
            description: "Runs per state.");
        meter.CreateObservableGauge("orchestrator.members.open", () => fleet.Current.MembersOpen,
            description: "Members of runs that are open now (Open or Cutoff).");
        meter.CreateObservableGauge("orchestrator.agents",
            () => new[]
            {
                new Measurement<long>(fleet.Current.AgentsOnline, new KeyValuePair<string, object?>("status", "online")),
                new Measurement<long>(fleet.Current.AgentsOffline, new KeyValuePair<string, object?>("status", "offline")),
            },
            description: "Enrolled agents (not revoked) by whether they were heard from within AgentOfflineAfter.");
    }

    /// <summary>A newly stored agent report: its rows, bytes served, blocked attempts and scan outcomes.</summary>
    public void ReportStored(int trafficRows, int blockedRows, IEnumerable<string> scanOutcomes, long bytesServed, long blockedAttempts)
    {
        ArgumentNullException.ThrowIfNull(scanOutcomes);
        var outcomes = scanOutcomes.ToList();
        _reportRows.Add(trafficRows, new KeyValuePair<string, object?>("kind", "traffic"));
        _reportRows.Add(blockedRows, new KeyValuePair<string, object?>("kind", "blocked"));
        _reportRows.Add(outcomes.Count, new KeyValuePair<string, object?>("kind", "scan"));
        _peerBytesServed.Add(bytesServed);
        _blockedAttempts.Add(blockedAttempts);
        foreach (var outcome in outcomes)
        {
            _scanOutcomes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>One webhook delivery attempt (for the notifications feature): <paramref name="outcome"/> is a short
    /// lower-case word such as "delivered", "failed" or "timeout"; <paramref name="eventName"/> the event it carried.</summary>
    public void WebhookDelivery(string outcome, string eventName) =>
        _webhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("event", eventName));

    /// <summary>The desired state of these endpoints changed (the notifier calls this at every change).</summary>
    public void StateChanged(IEnumerable<long> endpointIds)
    {
        var now = _time.GetTimestamp();
        foreach (var id in endpointIds)
        {
            // The first unacknowledged change counts: a later one only extends what the agent still has to catch up on.
            _changedAt.TryAdd(id, now);
        }
    }

    /// <summary>The endpoint's agent acknowledged its current desired state.</summary>
    public void StateAcknowledged(long endpointId)
    {
        if (_changedAt.TryRemove(endpointId, out var changedAt))
        {
            _propagation.Record(_time.GetElapsedTime(changedAt).TotalSeconds);
        }
    }
}
