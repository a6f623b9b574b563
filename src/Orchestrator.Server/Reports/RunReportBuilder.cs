using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Reports;
using Orchestrator.Core.Runs;
using Orchestrator.Data.DeliveryOptimization;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Reports;

/// <summary>
/// Builds a run's report on read from what is stored now, so agent reports that arrive after the end show up.
/// Once late reports can no longer count for the run (<see cref="SnapshotDelay"/> after its close), the first
/// build stores the final snapshot if the snapshot job has not yet.
/// </summary>
internal sealed class RunReportBuilder(
    IRunStore runs,
    IRunReportStore store,
    IDeliveryOptimizationStore deliveryOptimization,
    TimeProvider time,
    IOptions<OrchestratorOptions> options,
    IServiceProvider services)
{
    public const int DefaultTransfersPerPage = 50;
    public const int TopServerCount = 15;

    /// <summary>Rows of Delivery Optimization's who-served-whom a report carries, largest first (the count says how many in all).</summary>
    public const int DeliveryOptimizationPeerRows = 500;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly OrchestratorOptions _options = options.Value;

    public ReportThresholds Thresholds => new()
    {
        LateCloseAfter = _options.LateCloseThreshold,
        AgentOfflineAfter = _options.AgentOfflineAfter,
    };

    /// <summary>After a run's close, agent reports still count for it for LateReportGrace and close states settle
    /// after CloseConfirmationGrace: after both, the report is final.</summary>
    public static TimeSpan SnapshotDelay(OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.LateReportGrace + options.CloseConfirmationGrace;
    }

    public async Task<RunReport?> BuildAsync(long runId, int transfersOffset, int transfersLimit, bool withJobs, CancellationToken ct)
    {
        if (await runs.GetAsync(runId, ct) is not { } run)
        {
            return null;
        }

        var now = time.GetUtcNow();

        // The two reads each make one pass over the run's traffic; on separate connections (WAL readers) they overlap.
        var factsRead = store.GetFactsAsync(runId, ct);
        var pageRead = store.GetTransfersAsync(runId, transfersOffset, transfersLimit, ct);
        var facts = await factsRead;
        var transfers = new TransferPage(await pageRead, transfersOffset, transfersLimit, facts.TransferPairs);
        var stats = await deliveryOptimization.GetRunAsync(runId, DeliveryOptimizationPeerRows, ct);
        var analysis = RunAnalysis.Of(ToFacts(run, facts, stats), now, Thresholds);
        var snapshot = await store.GetSnapshotAsync(runId, ct);
        var jobs = withJobs ? (services.GetService(typeof(Hangfire.JobStorage)) is Hangfire.JobStorage storage
            ? new RunJobLinks(storage, services.GetRequiredService<ILogger<RunJobLinks>>()).For(runId, run.WindowName)
            : []) : [];
        var report = Assemble(analysis, transfers, jobs, new ReportSource("live", snapshot?.TakenAt)) with
        {
            DeliveryOptimization = new DeliveryOptimizationTable(ByteSources.DeliveryOptimization, stats.Peers, stats.PeerRows),
            Notifications = await Notifications.RunNotifications.ForRunAsync(services, runId, ct),
        };
        report = report with { Run = report.Run with { TimeZone = run.Definition.Schedule.TimeZone } };

        if (snapshot is null && IsFinal(run, now))
        {
            var taken = await SaveSnapshotAsync(report, ct);
            report = report with { Source = new ReportSource("live", taken.TakenAt) };
        }

        return report;
    }

    /// <summary>Builds the report now and stores it as the run's final snapshot (replacing an earlier one); null when
    /// there is no such run.</summary>
    public async Task<(RunReport Report, RunReportSnapshot Snapshot)?> SnapshotAsync(long runId, CancellationToken ct)
    {
        var report = await BuildAsync(runId, 0, 100, withJobs: false, ct);
        return report is null ? null : (report, await SaveSnapshotAsync(report, ct));
    }

    /// <summary>A summary of the run for a window's trend: the stored snapshot's figures, or computed live.</summary>
    public async Task<RunAnalysis> AnalyseAsync(RunRecord run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        var facts = await store.GetFactsAsync(run.Id, ct);
        var stats = await deliveryOptimization.GetRunAsync(run.Id, DeliveryOptimizationPeerRows, ct);
        return RunAnalysis.Of(ToFacts(run, facts, stats), time.GetUtcNow(), Thresholds);
    }

    private bool IsFinal(RunRecord run, DateTimeOffset now) =>
        RunStates.IsFinal(run.State) && now - (run.ClosedAt ?? run.PlannedEnd) >= SnapshotDelay(_options);

    private async Task<RunReportSnapshot> SaveSnapshotAsync(RunReport report, CancellationToken ct)
    {
        var snapshot = new RunReportSnapshot(
            report.Run.Id,
            time.GetUtcNow(),
            report.Summary.Members,
            report.Anomalies.Count,
            report.Anomalies.Count(a => a.Severity == AnomalySeverity.Critical),
            report.KeptOffTheWan.BytesFromPeers,
            report.KeptOffTheWan.BytesFromHttp,
            JsonSerializer.Serialize(report with { Source = new ReportSource("snapshot", time.GetUtcNow()) }, Json));
        await store.SaveSnapshotAsync(snapshot, ct);
        return snapshot;
    }

    /// <summary>The report from an analysis, one page of transfers and the job links.</summary>
    internal static RunReport Assemble(RunAnalysis analysis, TransferPage transfers, IReadOnlyList<JobLink> jobs, ReportSource source)
    {
        var run = analysis.Run;
        return new(
            new RunHeader(
                run.RunId, run.WindowId, run.WindowName, run.Kind, run.State.ToString(), run.Groups, run.Ports, run.PlannedStart, run.PlannedEnd,
                run.CutoffAt, run.OpenedAt, run.ClosedAt, run.CloseReason?.ToString(), run.ScansEnabled, run.MaxErrors),
            analysis.GeneratedAt,
            source,
            analysis.Anomalies,
            analysis.Summary,
            analysis.Rows.Select(EndpointRowDto.From).ToList(),
            analysis.OpenLatency,
            analysis.CloseLatency,
            transfers,
            analysis.TopServers(TopServerCount).Select(r => new TopServer(r.EndpointId, r.Hostname, r.BytesServed)).ToList(),
            analysis.Wan,
            run.Blocked,
            analysis.Timeline,
            jobs);
    }

    private static RunFacts ToFacts(RunRecord run, RunReportFacts facts, RunDeliveryOptimization stats) => new(
        run.Id,
        run.WindowId,
        run.WindowName,
        run.Kind.ToString(),
        run.State,
        run.Definition.Groups,
        run.Definition.Ports.Select(p => p.ToString()).ToList(),
        run.PlannedStart,
        run.PlannedEnd,
        run.CutoffAt,
        run.OpenedAt,
        run.ClosedAt,
        run.CloseReason,
        run.Definition.Scan.Enabled,
        run.Definition.Scan.MaxErrors,
        facts.Members.Select(m => WithDeliveryOptimization(m, stats)).ToList(),
        facts.Blocked,
        facts.Audit,
        stats.Peers);

    /// <summary>A Windows member's bytes are Delivery Optimization's (its firewall keeps no per-address counters); a
    /// member that reported statistics is taken as Windows whatever it enrolled as.</summary>
    private static MemberFacts WithDeliveryOptimization(MemberFacts member, RunDeliveryOptimization stats) =>
        stats.Members.TryGetValue(member.EndpointId, out var bytes)
            ? member with { BytesServed = bytes.ToPeers, BytesReceived = bytes.FromPeers, BytesFromHttp = bytes.FromHttp, DeliveryOptimization = bytes, Windows = true }
            : member with { Windows = stats.WindowsMembers.Contains(member.EndpointId) };
}
