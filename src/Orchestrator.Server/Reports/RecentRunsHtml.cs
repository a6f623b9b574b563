using System.Globalization;
using System.Text;
using Orchestrator.Data.Runs;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Reports;

/// <summary>/reports: the latest runs with their worst anomaly, each linked to its report and its window's runs.</summary>
internal static class RecentRunsHtml
{
    public const int Shown = 100;

    public static string Render(IReadOnlyList<RunRecord> runs, IReadOnlyDictionary<long, Core.Reports.AnomalySeverity?> worst)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(worst);
        var html = new StringBuilder(8 * 1024);
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Run reports</title><style>{ReportStyle.Css}</style></head><body>
            <header><h1>Run reports</h1><p class="meta">The latest {Shown} runs · <a href="/">Home</a><a href="/hangfire">Hangfire jobs</a><a href="/logout">Sign out</a></p></header>
            <table><thead><tr><th>Run</th><th>Window</th><th>State</th><th>Worst</th><th>Planned start (window time)</th><th>Planned start (UTC)</th><th>Planned end (UTC)</th></tr></thead><tbody>
            """);
        foreach (var r in runs)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr data-run="{r.Id}"><td><a href="/reports/runs/{r.Id}">run {r.Id}</a></td><td><a href="/reports/windows/{r.WindowId}">{H(r.WindowName)}</a></td><td>{H(r.State.ToString())}</td><td>{RunSeverities.Badge(worst.GetValueOrDefault(r.Id))}</td><td class="t">{H(Local(r.PlannedStart, r.Definition.Schedule.TimeZone))}</td><td class="t">{H(Time(r.PlannedStart))}</td><td>{H(Time(r.PlannedEnd))}</td></tr>""");
        }

        return html.Append("</tbody></table></body></html>").ToString();
    }
}
