using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Access;

/// <summary>A person's browser: keeps cookies, does not follow redirects, sends no API key, and posts forms with the
/// page's antiforgery token the way the form would.</summary>
public sealed partial class Browser(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client;

    public static Browser For(OrchestratorFactory factory)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Authorization = null;
        return new Browser(client);
    }

    /// <summary>Opens /login and submits the form with <paramref name="key"/>; answers the redirect.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string key, string returnUrl = "/hangfire")
    {
        var form = new Dictionary<string, string> { ["key"] = key, ["returnUrl"] = returnUrl };
        await AddTokenAsync("/login", form);
        return await Client.PostAsync("/login", new FormUrlEncodedContent(form), TestContext.Current.CancellationToken);
    }

    /// <summary>Opens /logout and presses its button.</summary>
    public async Task<HttpResponseMessage> SignOutAsync()
    {
        var form = new Dictionary<string, string>();
        await AddTokenAsync("/logout", form);
        return await Client.PostAsync("/logout", new FormUrlEncodedContent(form), TestContext.Current.CancellationToken);
    }

    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(string path)
    {
        var response = await Client.GetAsync(path, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response);
    }

    /// <summary>The hidden antiforgery field of the form on <paramref name="page"/>, if the page has one.</summary>
    public async Task AddTokenAsync(string page, Dictionary<string, string> form)
    {
        var (_, html, response) = await GetAsync(page);
        response.Dispose();
        if (TokenField().Match(html) is { Success: true } match)
        {
            form[WebUtility.HtmlDecode(match.Groups["name"].Value)] = WebUtility.HtmlDecode(match.Groups["value"].Value);
        }
    }

    /// <summary>Posts a dashboard command the way the dashboard's own script does: with the page's antiforgery header.</summary>
    public async Task<HttpResponseMessage> DashboardCommandAsync(string path, Dictionary<string, string> form)
    {
        var (_, html, response) = await GetAsync("/hangfire");
        response.Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        var header = DashboardHeader().Match(html);
        var token = DashboardToken().Match(html);
        Assert.True(header.Success && token.Success, "the dashboard page carries its antiforgery token");
        request.Headers.Add(WebUtility.HtmlDecode(header.Groups[1].Value), WebUtility.HtmlDecode(token.Groups[1].Value));
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\">")]
    private static partial Regex DashboardHeader();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\">")]
    private static partial Regex DashboardToken();

    [GeneratedRegex("""<input type="hidden" name="(?<name>__csrf)" value="(?<value>[^"]*)">""")]
    private static partial Regex TokenField();
}
