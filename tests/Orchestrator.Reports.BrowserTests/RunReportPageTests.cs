using Microsoft.Playwright;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Reports;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Reports.BrowserTests;

public sealed class RunReportPageTests
{
    [Fact]
    public async Task OnCallSeesTheRunsAnomaliesAndKeyFiguresAndReachesItsJobsInTheDashboard()
    {
        Chromium.RequireOrSkip();
        await using var factory = new OrchestratorFactory();
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();
        var scenario = await ReportScenario.SeedAsync(client);
        var root = client.BaseAddress!.ToString().TrimEnd('/');
        var run = scenario.RunId;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var external = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(root, StringComparison.Ordinal))
            {
                external.Add(request.Url);
            }
        };

        // A person who is not signed in lands on the sign-in page and, with a key, comes back to the report.
        await page.GotoAsync($"{root}/reports/runs/{run}");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await page.Locator("#key").FillAsync(OrchestratorFactory.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{root}/reports/runs/{run}");
        await Expect(page.Locator("h1")).ToHaveTextAsync($"Run {run} · window “{ReportScenario.WindowName}”");

        // The anomalies, worst first, each naming what it concerns.
        var anomalies = page.Locator("#anomalies li");
        await Expect(anomalies.First).ToHaveAttributeAsync("data-code", "max-errors-reached");
        await Expect(anomalies.First).ToContainTextAsync("maxErrors reached: 1 scan failed (maxErrors 0)");
        await Expect(page.Locator("li[data-code=close-unconfirmed]")).ToContainTextAsync("pc-3, pc-4");
        await Expect(page.Locator("li[data-code=open-never-acknowledged]")).ToContainTextAsync("pc-4");
        await Expect(page.Locator("li[data-code=no-agent]")).ToContainTextAsync("pc-5");
        await Expect(page.Locator("li[data-code=scan-failed]")).ToContainTextAsync("pc-2");
        await Expect(page.Locator("li[data-code=blocked-outside-group]")).ToContainTextAsync($"{ReportScenario.Outsider} → pc-1 ×7");

        // The key figures (the late reports after the end are in: 5 + 1 + 2 MiB from peers).
        await Expect(page.Locator("[data-figure=members] b")).ToHaveTextAsync("5");
        await Expect(page.Locator("[data-figure=open-acked] b")).ToHaveTextAsync("3 / 5");
        await Expect(page.Locator("[data-figure=close-unconfirmed] b")).ToHaveTextAsync("2");
        await Expect(page.Locator("[data-figure=kept-off-wan] b")).ToHaveTextAsync("8.0 MiB");
        await Expect(page.Locator("[data-figure=from-http] b")).ToHaveTextAsync("not reported");
        await Expect(page.Locator("[data-figure=blocked] span")).ToContainTextAsync("7 from outside the group");
        await Expect(page.Locator("#transfers tbody tr").First).ToContainTextAsync("pc-1pc-2");
        await Expect(page.Locator("svg.chart")).ToHaveCountAsync(2);
        await Expect(page.Locator("svg.chart").First).ToBeVisibleAsync();
        Assert.Empty(external);

        // The window's trend marks a run with a critical anomaly in red, as its legend says (the marker stayed grey:
        // the chart's tick colour outranked the "bad" class).
        await page.GotoAsync($"{root}/reports/windows/{scenario.WindowId}");
        var critical = page.Locator("#trend svg text.tick.bad");
        await Expect(critical).ToHaveCountAsync(1);
        Assert.Equal("rgb(179, 38, 30)", await critical.EvaluateAsync<string>("e => getComputedStyle(e).fill"));
        await page.GotoAsync($"{root}/reports/runs/{run}");

        var screenshot = Path.Combine(Chromium.ArtifactsDirectory(), $"run-report-{run}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"screenshot {screenshot}");
        TestContext.Current.SendDiagnosticMessage($"screenshot: {screenshot}");

        // From the report to the run's job in the dashboard, and from the dashboard back to the reports.
        await page.Locator($"#jobs a:text-is('Open window \"{ReportScenario.WindowName}\" · run {run}')").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/hangfire/jobs/details/"));
        await Expect(page.Locator("body")).ToContainTextAsync($"run {run}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.ArtifactsDirectory(), $"hangfire-job-run-{run}.png") });
        await page.GetByRole(AriaRole.Link, new() { Name = "Run reports" }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{root}/reports");
        await page.Locator($"a[href='/reports/runs/{run}']").ClickAsync();
        await Expect(page.Locator("h1")).ToContainTextAsync($"Run {run}");
    }
}
