using System.Globalization;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Reports;

/// <summary>
/// The anomaly rules of a run report. Each rule looks at the run and its rows and names what it concerns; the
/// result is ordered by severity, then by rule (the order below), so the worst news comes first.
/// </summary>
public static class RunAnomalies
{
    public const string RunNotClosed = "run-not-closed";
    public const string RunClosedLate = "run-closed-late";
    public const string CloseUnconfirmedMayBeOpen = "close-unconfirmed-may-be-open";
    public const string CloseUnconfirmed = "close-unconfirmed";
    public const string CloseConfirmedLate = "close-confirmed-late";
    public const string CloseAwaiting = "close-awaiting-confirmation";
    public const string RunMissed = "run-missed";
    public const string RunNotOpen = "run-not-open";
    public const string RunOpenedLate = "run-opened-late";
    public const string NothingHappened = "nothing-happened";
    public const string NoAgent = "no-agent";
    public const string AgentOffline = "agent-offline";
    public const string OpenNeverAcknowledged = "open-never-acknowledged";
    public const string OpenAcknowledgedLate = "open-acknowledged-late";
    public const string ApplyError = "apply-error";
    public const string FirewallRepaired = "firewall-repaired";

    /// <summary>The audit action the server writes when an agent reports that it re-installed removed or altered rules.</summary>
    public const string FirewallRepairedAction = "firewall repaired";
    public const string ScanFailed = "scan-failed";
    public const string MaxErrorsReached = "max-errors-reached";
    public const string BlockedOutsideGroup = "blocked-outside-group";
    public const string BlockedFromMembers = "blocked-from-members";

    public const string CutoffScaled = "cutoff-scaled";

    /// <summary>The audit action the server writes when it scaled an ad-hoc run's cutoff down (its detail has the warning).</summary>
    public const string CutoffScaledAction = "cutoff scaled";

    /// <summary>The audit action the scan dispatcher writes when failures exceed maxErrors.</summary>
    public const string ScanDispatchStoppedAction = "scan dispatch stopped";

    public static IReadOnlyList<Anomaly> Detect(RunFacts run, IReadOnlyList<EndpointRow> rows, DateTimeOffset now, ReportThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(thresholds);
        var found = new List<Anomaly>();
        var final = RunStates.IsFinal(run.State);

        // Port open past the end, or closing not confirmed.
        if (!final && run.State != RunState.Opening && now - run.PlannedEnd > thresholds.LateCloseAfter)
        {
            found.Add(One(RunNotClosed, AnomalySeverity.Critical,
                $"The run is still {run.State} {Duration(now - run.PlannedEnd)} after its planned end (server side); endpoint firewalls drop the peers at the planned end on their own."));
        }

        if (run.ClosedAt is { } closed && run.OpenedAt is not null && run.CloseReason != CloseReason.ClosedByOperator
            && closed - run.PlannedEnd > thresholds.LateCloseAfter)
        {
            found.Add(One(RunClosedLate, AnomalySeverity.Warning,
                $"The server closed the run {Duration(closed - run.PlannedEnd)} after its planned end ({run.CloseReason}); endpoint firewalls expired on time."));
        }

        Add(found, CloseUnconfirmedMayBeOpen, AnomalySeverity.Critical, rows.Where(r => r.Close == CloseStatus.UnconfirmedMayBeOpen),
            n => $"{n} {Endpoints(n)} did not confirm the close within the grace period; the port may be open on {(n == 1 ? "it" : "them")} until {run.PlannedEnd.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC (the opening's expiry on the endpoint, {Duration(run.PlannedEnd - now)} from now).");
        Add(found, CloseUnconfirmed, AnomalySeverity.Warning, rows.Where(r => r.Close == CloseStatus.ClosedByExpiryUnconfirmed),
            n => $"{n} {Endpoints(n)} did not confirm the close; {(n == 1 ? "its" : "their")} firewall expiry closed the port, unobserved.");
        Add(found, CloseAwaiting, AnomalySeverity.Info, rows.Where(r => r.Close == CloseStatus.AwaitingConfirmation),
            n => $"{n} {Endpoints(n)} {(n == 1 ? "has" : "have")} not confirmed the close yet (the grace period is still running).");
        var late = rows.Where(r => r.Close == CloseStatus.ConfirmedLate).ToList();
        Add(found, CloseConfirmedLate, AnomalySeverity.Info, late,
            n => $"{n} {Endpoints(n)} confirmed the close after the grace period (the latest {Duration(late.Max(r => r.CloseAckLatency) ?? TimeSpan.Zero)} after the close).");

        // Opening later than expected, or not at all.
        if (run.State == RunState.Missed)
        {
            found.Add(One(RunMissed, AnomalySeverity.Critical, "The window passed without opening (the server could not open it in time)."));
        }
        else if (run.State == RunState.Opening && now - run.PlannedStart > thresholds.LateOpenAfter)
        {
            found.Add(One(RunNotOpen, AnomalySeverity.Critical, $"The run is not open {Duration(now - run.PlannedStart)} after its planned start."));
        }

        if (run.OpenedAt is { } opened && opened - run.PlannedStart > thresholds.LateOpenAfter)
        {
            found.Add(One(RunOpenedLate, AnomalySeverity.Warning, $"The run opened {Duration(opened - run.PlannedStart)} after its planned start."));
        }

        // Endpoints offline or never acknowledging; when that is every member, the run did nothing at all.
        var ackDue = run.OpenedAt is { } o && (final || run.State == RunState.Closing || now - o > thresholds.LateOpenAfter);
        var noAgent = rows.Where(r => r.Agent == AgentStatus.NoAgent).ToList();
        var neverAcked = ackDue ? rows.Where(r => r.OpenAckLatency is null && r.Agent != AgentStatus.NoAgent).ToList() : [];
        if (run.OpenedAt is not null && rows.Count > 0 && noAgent.Count + neverAcked.Count == rows.Count)
        {
            found.Add(new Anomaly(NothingHappened, AnomalySeverity.Critical,
                $"Nothing happened: none of the {rows.Count} {Endpoints(rows.Count)} opened the port ({noAgent.Count} without an enrolled agent, {neverAcked.Count} whose agent never acknowledged the opening), so no peer could serve content in this run.",
                rows.Count, rows.Take(Anomaly.MaxExamples).Select(r => r.Hostname).ToList()));
        }
        else
        {
            Add(found, NoAgent, AnomalySeverity.Warning, noAgent,
                n => $"{n} {Endpoints(n)} {(n == 1 ? "has" : "have")} no enrolled agent: nothing opened the port there, and nothing reports from there.");
            Add(found, OpenNeverAcknowledged, AnomalySeverity.Warning, neverAcked, n => $"{n} {Endpoints(n)} never acknowledged the opening.");
        }

        Add(found, AgentOffline, final ? AnomalySeverity.Info : AnomalySeverity.Warning, rows.Where(r => r.Agent == AgentStatus.Offline),
            n => $"{n} {Endpoints(n)} {(n == 1 ? "is" : "are")} offline now (agent silent for more than {Duration(thresholds.AgentOfflineAfter)}).");
        Add(found, OpenAcknowledgedLate, AnomalySeverity.Warning, rows.Where(r => r.OpenAckLatency > thresholds.LateOpenAfter),
            n => $"{n} {Endpoints(n)} acknowledged the opening more than {Duration(thresholds.LateOpenAfter)} after it opened.");
        Add(found, ApplyError, AnomalySeverity.Warning, rows.Where(r => r.ApplyError is not null),
            n => $"{n} {Endpoints(n)} report an error applying their desired state.");

        var repairedBy = run.Audit.Where(a => a.Action == FirewallRepairedAction).Select(RepairedHost).Distinct(StringComparer.Ordinal).ToList();
        if (repairedBy.Count > 0)
        {
            found.Add(new Anomaly(FirewallRepaired, AnomalySeverity.Warning,
                $"{repairedBy.Count} {Endpoints(repairedBy.Count)} found {(repairedBy.Count == 1 ? "its" : "their")} firewall rules removed or altered by something else on the host during the run (e.g. a firewall reload) and re-installed them; until then the port may have been reachable from outside the group. See the timeline.",
                repairedBy.Count, repairedBy.Take(Anomaly.MaxExamples).ToList()));
        }

        // Scans.
        var failed = rows.Where(r => r.ScanFailed).ToList();
        Add(found, ScanFailed, AnomalySeverity.Warning, failed, n => $"{n} {(n == 1 ? "scan" : "scans")} failed, timed out or never reported.");
        var stopped = run.Audit.Any(a => a.Action == ScanDispatchStoppedAction);
        if (stopped || (run.MaxErrors is { } max && failed.Count > max))
        {
            var neverScanned = rows.Where(r => r.Scan == ScanStatus.NotDispatched).ToList();
            found.Add(new Anomaly(MaxErrorsReached, AnomalySeverity.Critical,
                $"maxErrors reached: {failed.Count} {(failed.Count == 1 ? "scan" : "scans")} failed (maxErrors {run.MaxErrors?.ToString(CultureInfo.InvariantCulture) ?? "none"}); scan dispatch stopped and {neverScanned.Count} {Endpoints(neverScanned.Count)} were never scanned.",
                neverScanned.Count, neverScanned.Take(Anomaly.MaxExamples).Select(r => r.Hostname).ToList()));
        }

        if (run.Audit.FirstOrDefault(a => a.Action == CutoffScaledAction) is { } scaled)
        {
            found.Add(One(CutoffScaled, AnomalySeverity.Warning, DetailText(scaled, "warning")
                ?? "The window's cutoff would have left this ad-hoc run no time for scans; the server scaled it down."));
        }

        // Blocked attempts.
        var memberAddresses = run.Members.SelectMany(m => m.Addresses).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var memberIds = run.Members.Select(m => m.EndpointId).ToHashSet();
        bool IsMember(BlockedFacts b) => memberAddresses.Contains(b.SourceAddress) || (b.SourceEndpointId is { } id && memberIds.Contains(id));
        AddBlocked(found, BlockedOutsideGroup, AnomalySeverity.Warning, run.Blocked.Where(b => !IsMember(b)).ToList(), "outside the group");
        AddBlocked(found, BlockedFromMembers, AnomalySeverity.Info, run.Blocked.Where(IsMember).ToList(),
            "group members (usually before the target applied its opening)");
        DeliveryOptimizationAnomalies.Detect(run, rows, found);

        return found.OrderBy(a => a.Severity).ToList();
    }

    /// <summary>A string member of an entry's JSON detail, if it has one.</summary>
    private static string? DetailText(AuditFact entry, string member)
    {
        try
        {
            using var detail = System.Text.Json.JsonDocument.Parse(entry.Detail ?? "{}");
            return detail.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                   && detail.RootElement.TryGetProperty(member, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The hostname a repair entry names (its detail is the server's JSON), else the agent that wrote it.</summary>
    private static string RepairedHost(AuditFact entry)
    {
        try
        {
            using var detail = System.Text.Json.JsonDocument.Parse(entry.Detail ?? "{}");
            return detail.RootElement.TryGetProperty("hostname", out var host) && host.ValueKind == System.Text.Json.JsonValueKind.String
                ? host.GetString()!
                : entry.Actor;
        }
        catch (System.Text.Json.JsonException)
        {
            return entry.Actor;
        }
    }

    /// <summary>The anomaly codes that name each endpoint, for marking rows.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ProblemsByHostname(IReadOnlyList<Anomaly> anomalies, IReadOnlyList<EndpointRow> rows, DateTimeOffset now, ReportThresholds thresholds, RunFacts run)
    {
        ArgumentNullException.ThrowIfNull(anomalies);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(run);
        var codes = anomalies.Select(a => a.Code).ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var ackDue = run.OpenedAt is { } o && (RunStates.IsFinal(run.State) || run.State == RunState.Closing || now - o > thresholds.LateOpenAfter);
        var servedOutside = DeliveryOptimizationAnomalies.ServedOutside(run);
        var httpOnly = DeliveryOptimizationAnomalies.HttpOnly(rows).Select(r => r.EndpointId).ToHashSet();
        foreach (var row in rows)
        {
            var mine = new List<string>();
            Mark(mine, codes, CloseUnconfirmedMayBeOpen, row.Close == CloseStatus.UnconfirmedMayBeOpen);
            Mark(mine, codes, CloseUnconfirmed, row.Close == CloseStatus.ClosedByExpiryUnconfirmed);
            Mark(mine, codes, CloseConfirmedLate, row.Close == CloseStatus.ConfirmedLate);
            Mark(mine, codes, NoAgent, row.Agent == AgentStatus.NoAgent);
            Mark(mine, codes, AgentOffline, row.Agent == AgentStatus.Offline);
            Mark(mine, codes, OpenNeverAcknowledged, ackDue && row.OpenAckLatency is null && row.Agent != AgentStatus.NoAgent);
            Mark(mine, codes, OpenAcknowledgedLate, row.OpenAckLatency > thresholds.LateOpenAfter);
            Mark(mine, codes, ApplyError, row.ApplyError is not null);
            Mark(mine, codes, ScanFailed, row.ScanFailed);
            Mark(mine, codes, DeliveryOptimizationAnomalies.ServedOutsideRun, servedOutside.Contains(row.Hostname));
            Mark(mine, codes, DeliveryOptimizationAnomalies.HttpOnlyWhilePeersHadContent, httpOnly.Contains(row.EndpointId));
            if (mine.Count > 0)
            {
                result[row.Hostname] = mine;
            }
        }

        return result;
    }

    private static void Mark(List<string> into, HashSet<string> codes, string code, bool applies)
    {
        if (applies && codes.Contains(code))
        {
            into.Add(code);
        }
    }

    private static void Add(List<Anomaly> into, string code, AnomalySeverity severity, IEnumerable<EndpointRow> rows, Func<int, string> message)
    {
        var hit = rows.ToList();
        if (hit.Count > 0)
        {
            into.Add(new Anomaly(code, severity, message(hit.Count), hit.Count, hit.Take(Anomaly.MaxExamples).Select(r => r.Hostname).ToList()));
        }
    }

    private static void AddBlocked(List<Anomaly> into, string code, AnomalySeverity severity, List<BlockedFacts> blocked, string from)
    {
        if (blocked.Count == 0)
        {
            return;
        }

        var attempts = Counters.Sum(blocked, b => b.Count);
        var sources = blocked.Select(b => b.SourceAddress).Distinct(StringComparer.OrdinalIgnoreCase).Count();
        var ports = string.Join(", ", blocked.Select(b => b.Port).Distinct().Order());
        into.Add(new Anomaly(code, severity,
            $"{attempts} blocked {(attempts == 1 ? "attempt" : "attempts")} on port {ports} from {sources} {(sources == 1 ? "source" : "sources")} {from}.",
            sources,
            blocked.OrderByDescending(b => b.Count).Take(Anomaly.MaxExamples)
                .Select(b => $"{b.SourceAddress}{(b.SourceHostname is null ? "" : $" ({b.SourceHostname})")} → {b.TargetHostname} ×{b.Count}").ToList()));
    }

    private static Anomaly One(string code, AnomalySeverity severity, string message) => new(code, severity, message, 1, []);

    private static string Endpoints(int n) => n == 1 ? "endpoint" : "endpoints";

    /// <summary>"45 s", "12 min 5 s", "3 h 4 min".</summary>
    public static string Duration(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            value = value.Negate();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return $"{value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
        }

        if (value < TimeSpan.FromMinutes(1))
        {
            return $"{value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";
        }

        return value < TimeSpan.FromHours(1)
            ? $"{(int)value.TotalMinutes} min {value.Seconds} s"
            : $"{(int)value.TotalHours} h {value.Minutes} min";
    }
}
