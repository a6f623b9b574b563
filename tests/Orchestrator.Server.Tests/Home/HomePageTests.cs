using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Orchestrator.Core.Schedules;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Home;

public sealed partial class HomePageTests
{
    private static async Task<(HttpResponseMessage Response, string Html)> HomeAsync(HttpClient client)
    {
        var response = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        return (response, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
    }

    private static List<string> Rows(string html, string section) =>
        RowPattern().Matches(Regex.Match(html, $"<section id=\"{section}\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value).Select(m => m.Value).ToList();

    [GeneratedRegex("<tr data-[a-z]+=\"[^\"]+\".*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [Fact]
    public async Task TheHomePageListsTheNextTwoWeeksOfEveryWindowInItsOwnZoneWithMembersAndSkippedBlackouts()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var windowId = await HomeSite.SeedAsync(client);
        var now = DateTimeOffset.UtcNow;

        var (response, html) = await HomeAsync(client);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = OccurrenceCalculator.From(
                new WindowSchedule { Cron = HomeSite.Cron, TimeZone = HomeSite.Zone, Duration = TimeSpan.FromHours(1), BlackoutDates = [HomeSite.BlackoutDate(now)] }, now)
            .TakeWhile(o => o.StartUtc < now.AddDays(14))
            .ToList();
        var rows = Rows(html, "upcoming").Where(r => r.Contains($"data-window=\"{windowId}\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var o = expected[i];
            var offset = o.LocalStart.Offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
            Assert.Contains($"{o.LocalStart:yyyy-MM-dd} 02:30:00 UTC+{offset} Europe/Berlin", rows[i], StringComparison.Ordinal);
            Assert.Contains(o.StartUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC", rows[i], StringComparison.Ordinal);
            Assert.Contains("<td class=\"n\">2</td>", rows[i], StringComparison.Ordinal);
            Assert.Contains(HomeSite.Group, rows[i], StringComparison.Ordinal);
            Assert.Equal(o.Skipped is not null, rows[i].Contains("skipped: blackout", StringComparison.Ordinal));
        }

        Assert.Single(rows, r => r.Contains("skipped: blackout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheHomePageRefreshesItselfWithoutScriptsUnderTheReportsPolicyAndOffersSignOut()
    {
        await using var factory = new OrchestratorFactory();
        factory.Settings["Orchestrator:HomePageRefresh"] = "00:00:07";
        using var client = factory.CreateClient();

        var (response, html) = await HomeAsync(client);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none'; style-src 'unsafe-inline'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("script", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"7\">", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/logout\">Sign out</a>", html, StringComparison.Ordinal);
        Assert.Contains("No run is open.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SomeoneNotSignedInIsSentToSignInAndBackToTheHomePage()
    {
        await using var factory = new OrchestratorFactory();
        using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        anonymous.DefaultRequestHeaders.Authorization = null;

        using var response = await anonymous.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = new Uri(new Uri("http://localhost"), response.Headers.Location!);
        Assert.Equal("/login", location.AbsolutePath);
        Assert.Equal("?ReturnUrl=%2F", location.Query);
    }

    [Fact]
    public async Task AnOpenRunShowsItsLiveProgressAndItsReportShowsTimesInTheWindowsZone()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "home", expiresIn = "PT1H", tags = new[] { HomeSite.Group } }))["token"]!;
        var a = await TestAgent.EnrollAsync(client, token, "pc-a", "198.18.1.1", HomeSite.Group);
        var b = await TestAgent.EnrollAsync(client, token, "pc-b", "198.18.1.2", HomeSite.Group);
        var windowId = await HomeSite.SeedAsync(client, withEndpoints: false);
        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT2M" }))["id"]!;
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), $"run {runId} open");

        var before = Rows((await HomeAsync(client)).Html, "open").Single();
        await ApiClient.EventuallyAsync(a.StateAsync, s => s.Openings.Count > 0, TimeSpan.FromSeconds(10), "opening");
        await a.ReportAsync(new("home-1", null, null, [], [new(b.Address, 3L * 1024 * 1024, 0)], [new("198.18.0.99", 7680, 4)]));
        // The run's first scan wave may give the agent a newer state between its poll and its acknowledgement, which then
        // acknowledges an outdated version and counts for nothing: like a real agent, it acknowledges the state it holds
        // now until the page shows the opening (seen in CI once).
        var after = await ApiClient.EventuallyAsync(
            async () =>
            {
                await a.AcknowledgeAsync((await a.StateAsync()).Version);
                return Rows((await HomeAsync(client)).Html, "open").Single();
            },
            row => row.Contains("data-col=\"opened\">1 / 2<", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the opening acknowledged");
        var report = WebUtility.HtmlDecode((await GetAsync(client, $"/reports/runs/{runId}")).Body);

        Assert.Contains($"href=\"/reports/runs/{runId}\"", before, StringComparison.Ordinal);
        Assert.Contains("data-col=\"opened\">0 / 2<", before, StringComparison.Ordinal);
        Assert.Contains("data-col=\"opened\">1 / 2<", after, StringComparison.Ordinal);
        Assert.Contains("data-col=\"served\">3.0 MiB<", after, StringComparison.Ordinal);
        Assert.Contains("data-col=\"blocked\">4<", after, StringComparison.Ordinal);
        Assert.Contains("data-col=\"scans-pending\">", after, StringComparison.Ordinal);
        Assert.Matches(@"UTC\+0[12]:00 Europe/Berlin", report);
        Assert.Contains("<dt>Time zone</dt><dd>Europe/Berlin</dd>", report, StringComparison.Ordinal);
        Assert.Contains("<th>Window time</th>", report, StringComparison.Ordinal);
    }

    private static async Task<(HttpResponseMessage Response, string Body)> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        return (response, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
