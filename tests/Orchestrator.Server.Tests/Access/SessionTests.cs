using System.Net;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Access;

/// <summary>A dashboard session is only as good as its key: revoked, expired or changed keys act at once.</summary>
public sealed class SessionTests
{
    [Fact]
    public async Task ASessionSignedInWithARevokedKeyIsRefusedAtItsNextRequestAndTheAuditNeverNamesTheRevokedKey()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var (id, key) = await CreateKeyAsync(admin, "alice", "operator");
        using var browser = Browser.For(factory);
        using (var signIn = await browser.SignInAsync(key))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await browser.Client.PostAsync("/api/v1/groups", new { name = "before", tags = new[] { "t" } })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"/api/v1/keys/{id}")).Status);

        var (status, body) = await browser.Client.PostAsync("/api/v1/groups", new { name = "after", tags = new[] { "t" } });
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("Sign in again", (string?)body?["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.Client.SendAsync(HttpMethod.Get, "/api/v1/groups")).Status);
        var (page, _, response) = await browser.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Redirect, page);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        response.Dispose();

        var groups = (await admin.GetJsonAsync("/api/v1/groups")).AsArray().Select(g => (string)g!["name"]!).ToList();
        Assert.DoesNotContain("after", groups);
        var byAlice = (await admin.GetJsonAsync("/api/v1/audit?actor=key:alice")).AsArray().Select(e => (string)e!["action"]!).ToList();
        Assert.Single(byAlice);
    }

    [Fact]
    public async Task ASessionEndsWhenItsKeyExpires()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var (_, key) = await CreateKeyAsync(admin, "short", "viewer", expiresIn: "PT3S");
        using var browser = Browser.For(factory);
        (await browser.SignInAsync(key)).Dispose();
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.SendAsync(HttpMethod.Get, "/api/v1/windows")).Status);

        await ApiClient.EventuallyAsync(
            async () => (await browser.Client.SendAsync(HttpMethod.Get, "/api/v1/windows")).Status,
            s => s == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10),
            "the session of an expired key is refused");
        var (page, _, response) = await browser.GetAsync("/hangfire");
        response.Dispose();
        Assert.Equal(HttpStatusCode.Redirect, page);
    }

    [Fact]
    public async Task ANewRoleAppliesToASignedInSessionAtOnce()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var (id, key) = await CreateKeyAsync(admin, "bob", "operator");
        using var browser = Browser.For(factory);
        (await browser.SignInAsync(key)).Dispose();
        Assert.Equal(HttpStatusCode.Created, (await browser.Client.PostAsync("/api/v1/groups", new { name = "g1", tags = new[] { "t" } })).Status);

        var (changed, body) = await admin.SendAsync(HttpMethod.Patch, $"/api/v1/keys/{id}", """{"role":"viewer"}""");
        Assert.True(changed == HttpStatusCode.OK, $"PATCH answered {(int)changed}: {body}");
        Assert.Equal("viewer", (string?)body!["role"]);

        Assert.Equal(HttpStatusCode.Forbidden, (await browser.Client.PostAsync("/api/v1/groups", new { name = "g2", tags = new[] { "t" } })).Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.SendAsync(HttpMethod.Get, "/api/v1/groups")).Status);
        var trail = (await admin.GetJsonAsync($"/api/v1/audit?entity=api-key&entityId={id}")).AsArray().Select(e => (string)e!["action"]!).ToList();
        Assert.Contains("role changed", trail);
    }

    [Fact]
    public async Task TheLastAdminKeyCannotLoseItsRoleAndAWrongRoleNamesTheField()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var keys = (await admin.GetJsonAsync("/api/v1/keys")).AsArray();
        var bootstrap = (long)keys.Single()!["id"]!;

        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync(HttpMethod.Patch, $"/api/v1/keys/{bootstrap}", """{"role":"viewer"}""")).Status);
        var (invalid, body) = await admin.SendAsync(HttpMethod.Patch, $"/api/v1/keys/{bootstrap}", """{"role":"root"}""");
        Assert.Equal(HttpStatusCode.BadRequest, invalid);
        Assert.NotNull(body!["errors"]!["role"]);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync(HttpMethod.Patch, "/api/v1/keys/999", """{"role":"viewer"}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Get, "/api/v1/keys")).Status);
    }

    [Fact]
    public async Task PagesShowASignOutThatPostsWithAnAntiforgeryTokenAndEndsTheSession()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var (_, key) = await CreateKeyAsync(admin, "carol", "viewer");
        using var browser = Browser.For(factory);
        (await browser.SignInAsync(key)).Dispose();

        var (_, dashboard, r1) = await browser.GetAsync("/hangfire");
        r1.Dispose();
        Assert.Contains("Sign out", dashboard, StringComparison.Ordinal);
        Assert.Contains("/logout", dashboard, StringComparison.Ordinal);
        var (_, reports, r2) = await browser.GetAsync("/reports");
        r2.Dispose();
        Assert.Contains("href=\"/logout\"", reports, StringComparison.Ordinal);

        using (var forged = await browser.Client.PostAsync("/logout", new FormUrlEncodedContent([]), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await browser.Client.SendAsync(HttpMethod.Get, "/api/v1/windows")).Status);
        using (var signOut = await browser.SignOutAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
            Assert.Equal("/login", signOut.Headers.Location!.OriginalString);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.Client.SendAsync(HttpMethod.Get, "/api/v1/windows")).Status);
    }

    [Fact]
    public async Task DashboardAndSignInPostsWithoutTheirAntiforgeryTokenOrFromAnotherSiteAreRefused()
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();
        var (_, key) = await CreateKeyAsync(admin, "dave", "operator");
        using var browser = Browser.For(factory);

        using (var noToken = await browser.Client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key }), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        }

        (await browser.SignInAsync(key)).Dispose();
        using (var command = await browser.Client.PostAsync("/hangfire/jobs/enqueued/delete", new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = "1" }), TestContext.Current.CancellationToken))
        {
            Assert.False(command.IsSuccessStatusCode, $"a dashboard command without its antiforgery token is refused ({(int)command.StatusCode})");
        }

        using (var command = await browser.DashboardCommandAsync("/hangfire/jobs/enqueued/delete", new Dictionary<string, string> { ["jobs[]"] = "1" }))
        {
            Assert.True(command.IsSuccessStatusCode, $"the same command with the dashboard's token is served ({(int)command.StatusCode})");
        }

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/v1/groups") { Content = System.Net.Http.Json.JsonContent.Create(new { name = "x", tags = new[] { "t" } }) };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var refused = await browser.Client.SendAsync(crossSite, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await browser.Client.PostAsync("/api/v1/groups", new { name = "y", tags = new[] { "t" } })).Status);
        Assert.DoesNotContain("x", (await admin.GetJsonAsync("/api/v1/groups")).AsArray().Select(g => (string)g!["name"]!));
    }

    internal static async Task<(long Id, string Key)> CreateKeyAsync(HttpClient admin, string name, string role, string? expiresIn = null)
    {
        var created = await admin.CreateAsync("/api/v1/keys", new { name, role, expiresIn });
        return ((long)created["id"]!, (string)created["key"]!);
    }
}
