using Microsoft.Playwright;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Reports;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Reports.BrowserTests;

/// <summary>Windows members' Delivery Optimization statistics, posted through protocol v1 over real HTTP, as on-call
/// sees them in a real browser: the run page's bytes by source and who-served-whom, and the group's efficiency page.</summary>
public sealed class DeliveryOptimizationPageTests
{
    [Fact]
    public async Task OnCallSeesBytesBySourceWhoServedWhomAndTheGroupsEfficiency()
    {
        Chromium.RequireOrSkip();
        await using var factory = new OrchestratorFactory();
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();
        var scenario = await DeliveryOptimizationScenario.SeedAsync(client);
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

        await page.GotoAsync($"{root}/reports/groups/{scenario.GroupId}/efficiency");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await page.Locator("#key").FillAsync(OrchestratorFactory.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{root}/reports/groups/{scenario.GroupId}/efficiency");

        // The group's efficiency: rolling figures, the run and its window.
        await Expect(page.Locator("h1")).ToHaveTextAsync($"Group “{DeliveryOptimizationScenario.GroupName}” · efficiency");
        await Expect(page.Locator("[data-figure=share-7] b")).ToHaveTextAsync("20.0%");
        await Expect(page.Locator("[data-figure=saved-28] b")).ToHaveTextAsync("41.0 MiB");
        await Expect(page.Locator("#runs tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#runs tbody tr").First).ToContainTextAsync("41.0 MiB160.0 MiB20.0%");
        await Expect(page.Locator("#windows h3")).ToHaveTextAsync("do patch");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.ArtifactsDirectory(), $"group-efficiency-{scenario.GroupId}.png"), FullPage = true });

        // From the run in the list to its report: the anomalies only Delivery Optimization shows, and bytes by source.
        await page.Locator($"#runs a:text-is('run {scenario.RunId}')").ClickAsync();
        await Expect(page).ToHaveURLAsync($"{root}/reports/runs/{scenario.RunId}");
        await Expect(page.Locator("#anomalies li").First).ToHaveAttributeAsync("data-code", "served-outside-run");
        await Expect(page.Locator("li[data-code=served-outside-run]")).ToContainTextAsync($"w-1 → {DeliveryOptimizationScenario.Outsider}");
        await Expect(page.Locator("li[data-code=http-only-while-peers-had-content]")).ToContainTextAsync("w-3");
        var bySource = page.Locator("#sources table.by-source tbody tr");
        await Expect(bySource.Filter(new() { HasText = "Delivery Optimization" })).ToContainTextAsync("Delivery Optimization340.0 MiB160.0 MiB20.0%45.0 MiB");
        await Expect(bySource.Filter(new() { HasText = "firewall counters" })).ToContainTextAsync("firewall counters11.0 MiBnot reportednot reported0 B");
        var w2 = page.Locator("#sources table.per-member tbody tr").Filter(new() { HasText = "w-2" });
        await Expect(w2).ToContainTextAsync("w-2Delivery Optimization40.0 MiB10.0 MiB80.0%0 B");
        var outside = page.Locator("#sources table.do-peers tr.problem");
        await Expect(outside).ToHaveCountAsync(1);
        await Expect(outside).ToContainTextAsync($"w-1outside the run{DeliveryOptimizationScenario.Outsider}5.0 MiB");
        await Expect(page.Locator("#sources table.do-peers tbody tr").Filter(new() { HasText = "w-2" }).First).ToContainTextAsync("w-1w-2198.18.21.1240.0 MiB0 B");
        Assert.Empty(external);

        var screenshot = Path.Combine(Chromium.ArtifactsDirectory(), $"run-report-do-{scenario.RunId}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"screenshot {screenshot}");
        TestContext.Current.SendDiagnosticMessage($"screenshot: {screenshot}");
    }
}
