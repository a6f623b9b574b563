using Orchestrator.Server.Access;
using Orchestrator.Server.Api;

namespace Orchestrator.Server.Reports;

/// <summary>A group's efficiency over time: /reports/groups/{id}/efficiency (HTML) and /api/v1/groups/{id}/efficiency (JSON).
/// Both need a viewer; an unknown group is a 404 problem.</summary>
internal static class GroupEfficiencyApi
{
    // As the run pages: no script, nothing loaded.
    private const string PagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

    public static IEndpointRouteBuilder MapGroupEfficiency(this IEndpointRouteBuilder app)
    {
        app.MapGet("/reports/groups/{id:long}/efficiency", PageAsync).RequireAuthorization(Policies.Viewer).ExcludeFromDescription();
        app.MapGet("/api/v1/groups/{id:long}/efficiency", JsonAsync).RequireAuthorization(Policies.Viewer).WithTags("Reports");
        return app;
    }

    private static async Task<IResult> PageAsync(long id, HttpContext http, CancellationToken ct)
    {
        if (await Builder(http).BuildAsync(id, ct) is not { } report)
        {
            return Problems.NotFound($"Group {id}");
        }

        http.Response.Headers.ContentSecurityPolicy = PagePolicy;
        return TypedResults.Content(GroupEfficiencyHtml.Render(report), "text/html; charset=utf-8");
    }

    private static async Task<IResult> JsonAsync(long id, HttpContext http, CancellationToken ct) =>
        await Builder(http).BuildAsync(id, ct) is { } report ? TypedResults.Json(report, RunReportBuilder.Json) : Problems.NotFound($"Group {id}");

    private static GroupEfficiencyBuilder Builder(HttpContext http) =>
        ActivatorUtilities.CreateInstance<GroupEfficiencyBuilder>(
            http.RequestServices, ActivatorUtilities.GetServiceOrCreateInstance<RunReportBuilder>(http.RequestServices));
}
