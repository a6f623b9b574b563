using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Home;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Reports;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Reports.BrowserTests;

public sealed class HomePageTests
{
    [Fact]
    public async Task OnCallLandsOnAHomePageThatShowsWhatIsComingWhatIsOpenLiveAndWhichRunWentWrong()
    {
        Chromium.RequireOrSkip();
        await using var factory = new OrchestratorFactory();
        factory.Settings["Orchestrator:HomePageRefresh"] = "00:00:01";
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();
        var scenario = await ReportScenario.SeedAsync(client);
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "home", expiresIn = "PT1H", tags = new[] { HomeSite.Group } }))["token"]!;
        var agent = await TestAgent.EnrollAsync(client, token, "pc-a", "198.18.1.1", HomeSite.Group);
        await TestAgent.EnrollAsync(client, token, "pc-b", "198.18.1.2", HomeSite.Group); // a peer: a lone member opens nothing
        var windowId = await HomeSite.SeedAsync(client, withEndpoints: false);
        var openRun = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT3M" }))["id"]!;
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, openRun), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), $"run {openRun} open");
        var root = client.BaseAddress!.ToString().TrimEnd('/');

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

        // Not signed in: the sign-in page, then back home.
        await page.GotoAsync($"{root}/");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
        await page.Locator("#key").FillAsync(OrchestratorFactory.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{root}/");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Orchestrator");

        // What is coming: the Berlin window's next two weeks in its own zone, the blackout day skipped.
        await Expect(page.Locator($"#upcoming tr[data-window='{windowId}']").First).ToContainTextAsync("Europe/Berlin");
        await Expect(page.Locator("#upcoming tr.skipped")).ToHaveCountAsync(1);
        await Expect(page.Locator("#upcoming tr.skipped")).ToContainTextAsync("skipped: blackout");

        // Which run went wrong: the scenario's run carries a red "critical" badge.
        var badge = page.Locator($"#recent tr[data-run='{scenario.RunId}'] .badge");
        await Expect(badge).ToHaveTextAsync("critical");
        Assert.Equal("rgb(179, 38, 30)", await badge.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));

        // What is open, live: the agent acknowledges and the page, reloading itself, shows it without the test navigating.
        var opened = page.Locator($"#open tr[data-run='{openRun}'] td[data-col=opened]");
        await Expect(opened).ToHaveTextAsync("0 / 2");
        var state = await ApiClient.EventuallyAsync(agent.StateAsync, s => s.Openings.Count > 0, TimeSpan.FromSeconds(10), "opening");
        await agent.AcknowledgeAsync(state.Version);
        await Expect(opened).ToHaveTextAsync("1 / 2", new() { Timeout = 15_000 });
        Assert.Empty(external);

        var screenshot = Path.Combine(Chromium.ArtifactsDirectory(), "home.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.Current.SendDiagnosticMessage($"screenshot: {screenshot}");

        // /reports badges the same run; every page offers sign-out.
        await page.GotoAsync($"{root}/reports");
        await Expect(page.Locator($"tr[data-run='{scenario.RunId}'] .badge")).ToHaveTextAsync("critical");
        foreach (var path in new[] { "/", "/reports", $"/reports/runs/{scenario.RunId}", $"/reports/windows/{scenario.WindowId}" })
        {
            await page.GotoAsync($"{root}{path}");
            await Expect(page.Locator("a[href='/logout']").First).ToBeVisibleAsync();
        }

        // The dashboard's "Back to site" leads home; a run's job page links to the run's report.
        await page.GotoAsync($"{root}/hangfire");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to site" }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{root}/");
        await page.GotoAsync($"{root}/reports/runs/{scenario.RunId}");
        await page.Locator($"#jobs a:text-is('Open window \"{ReportScenario.WindowName}\" · run {scenario.RunId}')").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/hangfire/jobs/details/"));
        await page.GetByRole(AriaRole.Link, new() { Name = $"Run report: run {scenario.RunId}" }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{root}/reports/runs/{scenario.RunId}");
    }
}
