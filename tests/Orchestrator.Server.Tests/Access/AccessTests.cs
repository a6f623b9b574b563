using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Access;

public sealed class AccessTests
{
    /// <summary>Routes that are open on purpose: health, the sign-in page, and the agent protocol (agents use their
    /// own credential, checked by AgentAuthentication; enrollment is checked by its token).</summary>
    private static readonly string[] Open = ["/healthz", "/login", "/logout", "/agent/v1/"];

    [Fact]
    public async Task EveryRouteButHealthSignInAndTheAgentProtocolRefusesAnUnauthenticatedCaller()
    {
        await using var factory = new OrchestratorFactory();
        using var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        anonymous.DefaultRequestHeaders.Authorization = null;
        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(r => !Open.Any(o => r.Pattern.StartsWith(o, StringComparison.Ordinal)))
            .Distinct()
            .ToList();
        Assert.True(routes.Count > 30, $"found the routes ({routes.Count})");

        var reachable = new List<string>();
        foreach (var (method, pattern) in routes)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", "1");
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT")
            {
                request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await anonymous.SendAsync(request, TestContext.Current.CancellationToken);
            var refused = response.StatusCode == HttpStatusCode.Unauthorized
                || response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/login", StringComparison.Ordinal) == true;
            if (!refused)
            {
                reachable.Add($"{method} {path} → {(int)response.StatusCode}");
            }
        }

        Assert.Empty(reachable);
    }

    [Fact]
    public async Task ViewersReadOperatorsChangeWindowsAndOnlyAdminsManageKeysAndTokens()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var viewer = await ClientWithRoleAsync(factory, admin, "viewer");
        var @operator = await ClientWithRoleAsync(factory, admin, "operator");

        Assert.Equal(HttpStatusCode.OK, (await viewer.SendAsync(HttpMethod.Get, "/api/v1/windows")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/groups", new { name = "g", tags = new[] { "t" } })).Status);
        Assert.Equal(HttpStatusCode.Created, (await @operator.PostAsync("/api/v1/groups", new { name = "g", tags = new[] { "t" } })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await @operator.PostAsync("/api/v1/keys", new { name = "k", role = "admin" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await @operator.PostAsync("/api/v1/enrollment-tokens", new { name = "t" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.SendAsync(HttpMethod.Get, "/api/v1/keys")).Status);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/enrollment-tokens", new { name = "t" })).Status);
    }

    [Fact]
    public async Task AKeyIsShownOnceStoredHashedAndStopsWorkingWhenRevokedButTheLastAdminKeyStays()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var created = await admin.CreateAsync("/api/v1/keys", new { name = "ci", role = "operator" });
        var key = (string)created["key"]!;
        var id = (long)created["id"]!;

        var listed = (await admin.GetJsonAsync("/api/v1/keys")).AsArray();
        Assert.All(listed, k => Assert.Null(k!["key"]));
        Assert.Equal(0, await new ProductTables(factory.DataDirectory).CountAsync("api_keys", $"key_hash = '{key}'"));
        using var ci = factory.CreateAnonymousClient();
        ci.DefaultRequestHeaders.Authorization = new("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await ci.SendAsync(HttpMethod.Get, "/api/v1/runs")).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"/api/v1/keys/{id}")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ci.SendAsync(HttpMethod.Get, "/api/v1/runs")).Status);

        var bootstrap = listed.Single(k => (string?)k!["name"] == "bootstrap-admin")!;
        var (status, problem) = await admin.SendAsync(HttpMethod.Delete, $"/api/v1/keys/{(long)bootstrap["id"]!}");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("last active admin key", (string?)problem!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAuditApiTellsWhoDidWhatWhenWithFilters()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var @operator = await ClientWithRoleAsync(factory, admin, "operator");
        await Seed.SiteAsync(@operator);
        var windowId = await Seed.YearlyWindowAsync(@operator);
        var run = await @operator.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10S" });
        var runId = (long)run["id"]!;
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(admin, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), "open");
        await @operator.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/close");
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(admin, runId), r => (string?)r["state"] == "Closed", TimeSpan.FromSeconds(20), "closed");

        var byOperator = (await admin.GetJsonAsync("/api/v1/audit?actor=key:operator-key&limit=100")).AsArray();
        Assert.Contains(byOperator, e => (string?)e!["entity"] == "group" && (string?)e["action"] == "created");
        Assert.Contains(byOperator, e => (string?)e!["entity"] == "window" && (string?)e["action"] == "created");
        Assert.Contains(byOperator, e => (string?)e!["entity"] == "run" && (string?)e["action"] == "Open → Closing");
        var runTrail = (await admin.GetJsonAsync($"/api/v1/audit?entity=run&entityId={runId}")).AsArray().Select(e => $"{e!["actor"]}: {e["action"]}").Reverse().ToList();
        Assert.Equal(["key:operator-key: created", "scheduler: Opening → Open", "key:operator-key: Open → Closing", "scheduler: Closing → Closed"], runTrail);
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.Empty((await admin.GetJsonAsync($"/api/v1/audit?from={future}")).AsArray());
    }

    [Fact]
    public async Task TheDashboardSendsAnonymousPeopleToSignInAndServesViewersReadOnly()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var viewerKey = (string)(await admin.CreateAsync("/api/v1/keys", new { name = "viewer-key", role = "viewer" }))["key"]!;
        using var person = Browser.For(factory);
        var browser = person.Client;

        using (var anonymous = await browser.GetAsync("/hangfire", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.StartsWith("/login", anonymous.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }

        using (var wrong = await person.SignInAsync("ork_wrong", "/hangfire"))
        {
            Assert.Contains("error=1", wrong.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using (var offsite = await person.SignInAsync(viewerKey, "//evil.example/"))
        {
            Assert.Equal("/", offsite.Headers.Location!.OriginalString);
        }

        using var page = await browser.GetAsync("/hangfire", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Orchestrator jobs", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var command = await person.DashboardCommandAsync("/hangfire/jobs/enqueued/delete", new Dictionary<string, string> { ["jobs[]"] = "1" });
        Assert.False(command.IsSuccessStatusCode, $"a viewer cannot run dashboard commands ({(int)command.StatusCode})");
    }

    private static async Task<HttpClient> ClientWithRoleAsync(OrchestratorFactory factory, HttpClient admin, string role)
    {
        var key = (string)(await admin.CreateAsync("/api/v1/keys", new { name = $"{role}-key", role }))["key"]!;
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }
}
