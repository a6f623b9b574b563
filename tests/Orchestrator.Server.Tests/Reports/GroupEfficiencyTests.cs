using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>The group efficiency page (JSON and HTML) over <see cref="DeliveryOptimizationScenario"/>'s run, whose
/// statistics came through protocol v1 over real HTTP.</summary>
public sealed class GroupEfficiencyTests(DeliveryOptimizationSiteFixture site) : IClassFixture<DeliveryOptimizationSiteFixture>
{
    private const long MiB = DeliveryOptimizationScenario.MiB;

    [Fact]
    public async Task TheGroupsRunsCarryPeerShareWanBytesSavedAndRollingFigures()
    {
        var report = await site.Client.GetJsonAsync($"/api/v1/groups/{site.Scenario.GroupId}/efficiency");

        Assert.Equal(DeliveryOptimizationScenario.GroupName, (string?)report["groupName"]);
        foreach (var period in new[] { "last7Days", "last28Days" })
        {
            Assert.Equal(1, (int)report[period]!["runs"]!);
            Assert.Equal(41 * MiB, (long)report[period]!["wanBytesSaved"]!);
            Assert.Equal(160 * MiB, (long)report[period]!["bytesFromHttp"]!);
            Assert.Equal(0.2, (double)report[period]!["peerShare"]!, 6);
        }

        var run = Assert.Single(report["runs"]!.AsArray())!;
        Assert.Equal(site.Scenario.RunId, (long)run["runId"]!);
        Assert.Equal(41 * MiB, (long)run["wanBytesSaved"]!);
        Assert.Equal(0.2, (double)run["peerShare"]!, 6);
        Assert.Equal(0.2, (double)run["rolling7Days"]!["peerShare"]!, 6);
        Assert.Equal(41 * MiB, (long)run["rolling28Days"]!["wanBytesSaved"]!);
        var window = Assert.Single(report["windows"]!.AsArray())!;
        Assert.Equal("do patch", (string?)window["windowName"]);
        Assert.Equal(0.2, (double)window["last28Days"]!["peerShare"]!, 6);
        Assert.Equal(site.Scenario.RunId, (long)Assert.Single(window["runs"]!.AsArray())!["runId"]!);
    }

    [Fact]
    public async Task TheHtmlPageShowsTheSameFigures()
    {
        using var response = await site.Client.GetAsync(new Uri($"/reports/groups/{site.Scenario.GroupId}/efficiency", UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<div class=\"figure\" data-figure=\"share-7\"><b>20.0%</b>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"figure\" data-figure=\"saved-28\"><b>41.0 MiB</b>", html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/reports/runs/{site.Scenario.RunId}\">run {site.Scenario.RunId}</a>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/groups/999999/efficiency")]
    [InlineData("/reports/groups/999999/efficiency")]
    public async Task AnUnknownGroupIsANotFoundProblem(string path)
    {
        using var response = await site.Client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Group 999999 was not found.", (string?)problem["title"]);
    }

    [Theory]
    [InlineData("/api/v1/groups/{0}/efficiency", HttpStatusCode.Unauthorized)]
    [InlineData("/reports/groups/{0}/efficiency", HttpStatusCode.Redirect)] // to the sign-in page, like the run pages
    public async Task WithoutAKeyNothingIsShown(string path, HttpStatusCode expected)
    {
        using var anonymous = site.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        anonymous.DefaultRequestHeaders.Authorization = null;
        using var response = await anonymous.GetAsync(
            new Uri(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, site.Scenario.GroupId), UriKind.Relative),
            TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain("do-floor", body, StringComparison.Ordinal);
    }
}
