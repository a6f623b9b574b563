using System.Net;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>Every route that shows a run's or a window's report, in every format, for tests that assert they all answer.</summary>
public static class ReportRoutes
{
    public static IReadOnlyList<string> Of(long runId, long windowId) =>
    [
        $"/api/v1/runs/{runId}",
        $"/api/v1/runs/{runId}/traffic",
        $"/api/v1/runs/{runId}/report",
        $"/api/v1/runs/{runId}/report?format=md",
        $"/api/v1/runs/{runId}/report?format=csv",
        $"/api/v1/runs/{runId}/report.csv",
        $"/api/v1/runs/{runId}/report/transfers.csv",
        $"/reports/runs/{runId}",
        $"/reports/windows/{windowId}",
        $"/api/v1/windows/{windowId}/report",
        "/reports/",
        "/",
        "/api/v1/calendar.ics",
    ];

    /// <summary>Asks every route, twice (a failure that only shows once a report is cached or snapshotted is a failure
    /// too), and fails naming each route that did not answer 200, with its body.</summary>
    public static async Task AllAnswer200Async(HttpClient client, long runId, long windowId)
    {
        var failures = new List<string>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var route in Of(runId, windowId))
            {
                using var response = await client.GetAsync(route, TestContext.Current.CancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                    failures.Add($"{route} → {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
