namespace Orchestrator.Core.Reports;

/// <summary>One run's figures for a group's efficiency over time.</summary>
/// <param name="WanBytesSaved">Bytes members received from peers instead of the WAN, every source.</param>
/// <param name="PeerBytesMeasured">Bytes from peers on the members that also report HTTP bytes (Delivery Optimization).</param>
/// <param name="HttpBytesMeasured">Bytes over HTTP on those members; null when none reports them.</param>
public sealed record RunEfficiencyFacts(
    long RunId, long WindowId, string WindowName, string State, DateTimeOffset PlannedStart, int Members,
    long WanBytesSaved, long PeerBytesMeasured, long? HttpBytesMeasured);

/// <summary>Figures over a set of runs. <see cref="PeerShare"/> = peer bytes ÷ (peer + HTTP bytes) over the members that
/// report both (Delivery Optimization); null when none does.</summary>
public sealed record EfficiencyFigures(int Runs, long WanBytesSaved, long? BytesFromHttp, double? PeerShare)
{
    public static EfficiencyFigures Of(IReadOnlyCollection<RunEfficiencyFacts> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var measured = runs.Where(r => r.HttpBytesMeasured is not null).ToList();
        long? http = measured.Count == 0 ? null : Counters.Sum(measured, r => r.HttpBytesMeasured!.Value);
        return new EfficiencyFigures(
            runs.Count, Counters.Sum(runs, r => r.WanBytesSaved), http,
            http is { } h ? WanSavings.Share(Counters.Sum(measured, r => r.PeerBytesMeasured), h) : null);
    }
}

/// <summary>A run's line: its own figures and the rolling 7- and 28-day figures ending at its planned start (over the
/// runs of the same scope: the group, or the window).</summary>
public sealed record RunEfficiency(
    long RunId, long WindowId, string WindowName, string State, DateTimeOffset PlannedStart, int Members,
    long WanBytesSaved, long? BytesFromHttp, double? PeerShare, EfficiencyFigures Rolling7Days, EfficiencyFigures Rolling28Days);

public sealed record WindowEfficiency(long WindowId, string WindowName, EfficiencyFigures Last7Days, EfficiencyFigures Last28Days, IReadOnlyList<RunEfficiency> Runs);

/// <summary>
/// A group's efficiency over time: the runs of the last 28 days (newest first) with their peer share and WAN bytes
/// saved, rolling 7- and 28-day figures, and the same per window. A run counts whole for every group its window names.
/// </summary>
public sealed record GroupEfficiency(
    long GroupId, string GroupName, DateTimeOffset GeneratedAt, EfficiencyFigures Last7Days, EfficiencyFigures Last28Days,
    IReadOnlyList<RunEfficiency> Runs, IReadOnlyList<WindowEfficiency> Windows)
{
    public static readonly TimeSpan Week = TimeSpan.FromDays(7);
    public static readonly TimeSpan FourWeeks = TimeSpan.FromDays(28);

    /// <summary><paramref name="runs"/> must reach back 56 days, so that the oldest run shown has its full 28-day figure.</summary>
    public static GroupEfficiency Of(long groupId, string groupName, DateTimeOffset now, IReadOnlyList<RunEfficiencyFacts> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var windows = runs.GroupBy(r => r.WindowId)
            .Select(g => new WindowEfficiency(
                g.Key, g.OrderByDescending(r => r.PlannedStart).First().WindowName, Within([.. g], now, Week), Within([.. g], now, FourWeeks),
                Lines([.. g], now)))
            .OrderBy(w => w.WindowName, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new GroupEfficiency(groupId, groupName, now, Within(runs, now, Week), Within(runs, now, FourWeeks), Lines(runs, now), windows);
    }

    private static EfficiencyFigures Within(IReadOnlyList<RunEfficiencyFacts> runs, DateTimeOffset end, TimeSpan span) =>
        EfficiencyFigures.Of(runs.Where(r => r.PlannedStart > end - span && r.PlannedStart <= end).ToList());

    private static List<RunEfficiency> Lines(IReadOnlyList<RunEfficiencyFacts> runs, DateTimeOffset now) =>
        runs.Where(r => r.PlannedStart > now - FourWeeks)
            .OrderByDescending(r => r.PlannedStart).ThenByDescending(r => r.RunId)
            .Select(r =>
            {
                var own = EfficiencyFigures.Of([r]);
                return new RunEfficiency(r.RunId, r.WindowId, r.WindowName, r.State, r.PlannedStart, r.Members, r.WanBytesSaved, r.HttpBytesMeasured,
                    own.PeerShare, Within(runs, r.PlannedStart, Week), Within(runs, r.PlannedStart, FourWeeks));
            })
            .ToList();
}
