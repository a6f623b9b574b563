namespace Orchestrator.Server.Home;

/// <summary>/ : the page a signed-in person lands on (and the dashboard's "Back to site" leads to).</summary>
internal static class HomePage
{
    // The reports' policy: no script, nothing loaded from anywhere. A meta refresh is navigation, not a fetch.
    private const string PagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

    public static IEndpointRouteBuilder MapHome(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", async (HttpContext http, CancellationToken ct) =>
        {
            http.Response.Headers.ContentSecurityPolicy = PagePolicy;
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Content(HomeHtml.Render(await HomeView.BuildAsync(http.RequestServices, ct)), "text/html; charset=utf-8");
        }).RequireAuthorization(Access.Policies.Viewer).ExcludeFromDescription();
        return app;
    }
}
