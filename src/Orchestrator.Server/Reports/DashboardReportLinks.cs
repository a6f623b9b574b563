using Hangfire.Dashboard;

namespace Orchestrator.Server.Reports;

/// <summary>
/// Adds "Run reports" to the Hangfire dashboard's navigation, leading to /reports (recent runs, each linked to its
/// report). Hangfire 1.8 keeps its job-page renderers internal, so a job page cannot link to its own run's report;
/// its name carries the run id ("Close window "x" · run 42" → /reports/runs/42). Hangfire keeps the menu in a
/// process-wide list: registered once.
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
    }
}
