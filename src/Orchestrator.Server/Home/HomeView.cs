using Microsoft.Extensions.Options;
using Orchestrator.Core.Reports;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Calendar;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Reports;

namespace Orchestrator.Server.Home;

/// <summary>What the home page shows: coming occurrences, runs open now with their progress, recent runs with their
/// worst anomaly.</summary>
internal sealed record HomeView(
    DateTimeOffset GeneratedAt,
    TimeSpan Horizon,
    TimeSpan Refresh,
    IReadOnlyList<UpcomingOccurrence> Upcoming,
    IReadOnlyList<(RunRecord Run, RunSummary Summary, WanSavings Wan)> Open,
    IReadOnlyList<(RunRecord Run, AnomalySeverity? Worst)> Recent)
{
    public const int RecentShown = 20;

    public static async Task<HomeView> BuildAsync(IServiceProvider services, CancellationToken ct)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var options = services.GetRequiredService<IOptions<OrchestratorOptions>>().Value;
        var runs = services.GetRequiredService<IRunStore>();
        var reports = ActivatorUtilities.GetServiceOrCreateInstance<RunReportBuilder>(services);
        var now = time.GetUtcNow();

        var upcoming = await ActivatorUtilities.CreateInstance<UpcomingOccurrences>(services).ListAsync(now, options.UpcomingHorizon, null, ct);
        var open = new List<(RunRecord, RunSummary, WanSavings)>();
        foreach (var run in (await runs.ListNotFinalAsync(ct)).Where(r => r.State is RunState.Opening or RunState.Open or RunState.Cutoff or RunState.Closing).OrderBy(r => r.PlannedStart))
        {
            var analysis = await reports.AnalyseAsync(run, ct);
            open.Add((run, analysis.Summary, analysis.Wan));
        }

        var recent = await runs.ListAsync(new RunQuery(Limit: RecentShown), ct);
        var worst = await ActivatorUtilities.CreateInstance<RunSeverities>(services, reports).WorstAsync(recent, ct);
        return new HomeView(now, options.UpcomingHorizon, options.HomePageRefresh, upcoming, open, recent.Select(r => (r, worst[r.Id])).ToList());
    }
}
