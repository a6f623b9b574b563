using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>Absolute links in a report come from Orchestrator:PublicUrl, never from the request's Host header: a
/// forged Host must not put an attacker's address into a report someone pastes into a ticket.</summary>
public sealed class PublicUrlTests(ReportSiteFixture site) : IClassFixture<ReportSiteFixture>
{
    [Fact]
    public async Task MarkdownLinksIgnoreAForgedHostHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runs/{site.Scenario.RunId}/report?format=md");
        request.Headers.Host = "evil.example";
        using var response = await site.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var md = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.DoesNotContain("evil.example", md, StringComparison.Ordinal);
        Assert.Contains($"Full report: /reports/runs/{site.Scenario.RunId}", md, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("https://orchestrator.example.com/", "https://orchestrator.example.com")]
    [InlineData("http://10.0.0.5:5080/orchestrator", "http://10.0.0.5:5080/orchestrator")]
    public void APublicUrlIsTheBaseOfAbsoluteLinks(string? configured, string expected) =>
        Assert.Equal(expected, new Orchestrator.Server.Hosting.OrchestratorOptions { PublicUrl = configured }.PublicBase);
}
