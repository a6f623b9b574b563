using System.Globalization;
using System.Net;
using Hangfire;
using Hangfire.Dashboard;

namespace Orchestrator.Server.Reports;

/// <summary>
/// Links from the Hangfire dashboard to the reports: "Run reports" in its navigation (/reports), and on the page of
/// each of a run's lifecycle jobs (open, cutoff, close, verify, snapshot) a "Run report" section linking to that run's
/// report, rendered through the dashboard's job-details renderer hook. Hangfire keeps both in process-wide lists:
/// registered once.
/// </summary>
internal static class DashboardReportLinks
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        // The dashboard is mounted at /hangfire; its own Url helper prefixes that, so the root is one level up.
        NavigationMenu.Items.Add(page => new MenuItem("Run reports", page.Url.To("/../reports")));

        // Early in the page (negative order), right under the job's title, where on-call looks first.
        GlobalConfiguration.Configuration.UseJobDetailsRenderer(-100, dto =>
            RunJobLinks.RunIdOf(dto.JobDetails?.Job) is { } runId ? new NonEscapedString(Section(runId, dto.Page.Url.To("/.."))) : null!);
    }

    /// <summary>The dashboard's section: a link to the run's report, in the dashboard's own markup.</summary>
    internal static string Section(long runId, string root)
    {
        var id = runId.ToString(CultureInfo.InvariantCulture);
        var href = WebUtility.HtmlEncode($"{root.TrimEnd('/')}/reports/runs/{id}");
        return $"""<div class="job-snippet" data-run-report="{id}"><div class="job-snippet-header"><a href="{href}">Run report: run {id}</a></div></div>""";
    }
}
