using Orchestrator.Server.Access;

namespace Orchestrator.Server.Hosting;

/// <summary>
/// Headers on every answer and a cross-site check on every change a browser could send. No page of this server may be
/// framed (sign-in and the dashboard are click-jacking targets). A browser that says a change comes from another site
/// (<c>Sec-Fetch-Site</c>) is refused unless the request carries an API key itself: a cookie alone must not act for a
/// page on another site, whatever SameSite the browser honours.
/// </summary>
internal static class SecurityHeaders
{
    private const string FrameAncestors = "frame-ancestors 'none'";

    // Without a closure or an async frame per request: a parked long-poll would keep both for its whole wait.
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(static (http, next) =>
    {
        http.Response.OnStarting(AddHeaders, http.Response);
        return IsCrossSiteChange(http.Request) ? RefuseAsync(http) : next(http);
    });

    private static Task AddHeaders(object state)
    {
        var headers = ((HttpResponse)state).Headers;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        var policy = headers.ContentSecurityPolicy.ToString();
        if (!policy.Contains("frame-ancestors", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = policy.Length == 0 ? FrameAncestors : $"{policy.TrimEnd(';', ' ')}; {FrameAncestors}";
        }

        return Task.CompletedTask;
    }

    private static Task RefuseAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Cross-site request refused; nothing was changed.",
                detail: "The browser reports that this request comes from another site (Sec-Fetch-Site). Use the dashboard's own pages, or send an API key.")
            .ExecuteAsync(http);
    }

    private static bool IsCrossSiteChange(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        && request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site"
        && ApiKeys.FromRequest(request) is null
        && !request.Headers.Authorization.ToString().StartsWith(Protocol.AgentProtocolV1.AuthScheme + " ", StringComparison.Ordinal);
}
