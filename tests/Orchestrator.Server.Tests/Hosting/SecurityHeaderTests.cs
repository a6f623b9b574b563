using System.Net;
using Orchestrator.Server.Tests.Access;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Hosting;

public sealed class SecurityHeaderTests
{
    [Fact]
    public async Task SignInTheDashboardAndReportsCannotBeFramed()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var key = (string)(await admin.CreateAsync("/api/v1/keys", new { name = "v", role = "viewer" }))["key"]!;
        using var browser = Browser.For(factory);
        (await browser.SignInAsync(key)).Dispose();

        foreach (var path in new[] { "/login", "/logout", "/hangfire", "/reports" })
        {
            var (status, _, response) = await browser.GetAsync(path);
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
                var policy = string.Join(", ", response.Headers.GetValues("Content-Security-Policy"));
                Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
                if (path == "/reports")
                {
                    Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public async Task HttpsAnswersCarryHstsAndPlainHttpAnswersDoNot()
    {
        await using var factory = new OrchestratorFactory();
        using var https = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://orchestrator.example") });
        using var http = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://orchestrator.example") });

        using var secure = await https.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        using var plain = await http.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("max-age=31536000", secure.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
    }
}
