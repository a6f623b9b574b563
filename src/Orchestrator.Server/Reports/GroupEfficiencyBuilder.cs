using Orchestrator.Core.Reports;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Runs;

namespace Orchestrator.Server.Reports;

/// <summary>Builds a group's efficiency over time from its runs' reports (computed on read, like a run report).</summary>
internal sealed class GroupEfficiencyBuilder(IGroupStore groups, IRunStore runs, RunReportBuilder reports, TimeProvider time)
{
    /// <summary>Most runs (of every group) read for the 56 days a page needs; a server with more sees the newest.</summary>
    public const int RunsRead = 1_000;

    public async Task<GroupEfficiency?> BuildAsync(long groupId, CancellationToken ct)
    {
        if (await groups.GetAsync(groupId, ct) is not { } group)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var name = group.Definition.Name;
        var list = await runs.ListAsync(new RunQuery(From: now - (2 * GroupEfficiency.FourWeeks), To: now, Limit: RunsRead), ct);
        var facts = new List<RunEfficiencyFacts>();
        foreach (var run in list.Where(r => r.OpenedAt is not null && r.Definition.Groups.Contains(name, StringComparer.OrdinalIgnoreCase)))
        {
            var a = await reports.AnalyseAsync(run, ct);
            var measured = a.Wan.BySource?.FirstOrDefault(s => s.Source == ByteSources.DeliveryOptimization);
            facts.Add(new RunEfficiencyFacts(
                run.Id, run.WindowId, run.WindowName, run.State.ToString(), run.PlannedStart, a.Summary.Members,
                a.Wan.BytesFromPeers, measured?.BytesFromPeers ?? 0, measured?.BytesFromHttp));
        }

        return GroupEfficiency.Of(group.Id, name, now, facts);
    }
}
