using Orchestrator.Core.Reports;
using Orchestrator.Core.Runs;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>Hand-made run facts for the pure report tests: a run planned 10:00-11:00 UTC that opened on time.</summary>
internal static class Facts
{
    public static readonly DateTimeOffset Start = new(2027, 5, 12, 10, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset End = Start.AddHours(1);

    public static RunFacts Run(
        RunState state = RunState.Closed,
        DateTimeOffset? openedAt = null,
        DateTimeOffset? closedAt = null,
        CloseReason? reason = CloseReason.Ended,
        IReadOnlyList<MemberFacts>? members = null,
        IReadOnlyList<BlockedFacts>? blocked = null,
        IReadOnlyList<AuditFact>? audit = null,
        int? maxErrors = null,
        bool opened = true) =>
        new(7, 3, "floor-3 patch", "Scheduled", state, ["floor-3"], ["7680/tcp"], Start, End, End,
            opened ? openedAt ?? Start.AddSeconds(1) : null,
            state is RunState.Closed or RunState.Missed or RunState.Cancelled ? closedAt ?? End.AddSeconds(1) : closedAt,
            reason, true, maxErrors, members ?? [Member(1, "pc-1")], blocked ?? [], audit ?? []);

    public static MemberFacts Member(
        long id,
        string hostname,
        TimeSpan? openAck = null,
        TimeSpan? closeAck = null,
        MemberClose? close = MemberClose.Confirmed,
        AgentFacts? agent = null,
        ScanFacts? scan = null,
        long served = 0,
        long received = 0,
        long? http = null,
        bool noAgent = false) =>
        new(id, hostname, [$"198.18.0.{id}"],
            Start.AddSeconds(1) + (openAck ?? TimeSpan.FromSeconds(2)),
            close == MemberClose.Confirmed ? End + (closeAck ?? TimeSpan.FromSeconds(3)) : null,
            close,
            noAgent ? null : agent ?? new AgentFacts(End.AddSeconds(10), null),
            scan ?? new ScanFacts(Start.AddSeconds(2), 900, "Succeeded", 0, 1_000),
            served, received, http);

    /// <summary>Shortly after the run: nothing is overdue and agents seen at the end are online.</summary>
    public static readonly DateTimeOffset Now = End.AddSeconds(30);

    public static RunAnalysis Analyse(RunFacts run, DateTimeOffset? now = null) => RunAnalysis.Of(run, now ?? Now, ReportThresholds.Default);

    public static IReadOnlyList<string> Codes(RunFacts run, DateTimeOffset? now = null) => Analyse(run, now).Anomalies.Select(a => a.Code).ToList();
}
