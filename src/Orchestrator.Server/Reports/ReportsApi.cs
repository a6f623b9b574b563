using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Server.Api;

namespace Orchestrator.Server.Reports;

/// <summary>
/// Run reports: /reports/runs/{id} (HTML), /reports/windows/{id} (HTML) and /api/v1/runs/{id}/report in JSON, CSV
/// and Markdown. Reports are computed on read; the builders are created per request, so the host only maps this.
/// </summary>
internal static class ReportsApi
{
    private const string HtmlType = "text/html; charset=utf-8";

    // The pages carry no script and load nothing: a report opened from a saved file or a ticket cannot run code.
    private const string PagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/reports").WithTags("Reports").ExcludeFromDescription();
        pages.MapGet("/", async (Data.Runs.IRunStore runs, HttpContext http, CancellationToken ct) =>
        {
            http.Response.Headers.ContentSecurityPolicy = PagePolicy;
            var recent = await runs.ListAsync(new Data.Runs.RunQuery(Limit: RecentRunsHtml.Shown), ct);
            var worst = await ActivatorUtilities.CreateInstance<RunSeverities>(http.RequestServices, Builder(http)).WorstAsync(recent, ct);
            return TypedResults.Content(RecentRunsHtml.Render(recent, worst), HtmlType);
        });
        pages.MapGet("/runs/{id:long}", RunPageAsync);
        pages.MapGet("/windows/{id:long}", WindowPageAsync);

        var api = app.MapGroup("/api/v1").WithTags("Reports");
        api.MapGet("/runs/{id:long}/report", RunReportAsync);
        api.MapGet("/runs/{id:long}/report.csv", (long id, HttpContext http, CancellationToken ct) => RunReportAsync(id, "csv", null, null, null, http, ct));
        api.MapGet("/runs/{id:long}/report/transfers.csv", TransfersCsvAsync);
        api.MapGet("/windows/{id:long}/report", WindowReportAsync);

        app.MapGroupEfficiency();

        DashboardReportLinks.Register();
        return app;
    }

    private static async Task<IResult> RunPageAsync(long id, int? page, int? tpage, HttpContext http, CancellationToken ct)
    {
        if (page is < 1 || tpage is < 1)
        {
            return Problems.Invalid(page is < 1 ? "page" : "tpage", "pages start at 1");
        }

        var limit = RunReportBuilder.DefaultTransfersPerPage;
        var report = await Builder(http).BuildAsync(id, ((tpage ?? 1) - 1) * limit, limit, withJobs: true, ct);
        if (report is null)
        {
            return Problems.NotFound($"Run {id}");
        }

        http.Response.Headers.ContentSecurityPolicy = PagePolicy;
        return TypedResults.Content(RunReportHtml.Render(report, page ?? 1), HtmlType);
    }

    private static async Task<IResult> WindowPageAsync(long id, HttpContext http, CancellationToken ct)
    {
        var report = await WindowBuilder(http).BuildAsync(id, ct);
        if (report is null)
        {
            return Problems.NotFound($"Window {id}");
        }

        http.Response.Headers.ContentSecurityPolicy = PagePolicy;
        return TypedResults.Content(WindowReportHtml.Render(report), HtmlType);
    }

    /// <summary>The run's report. format: json (default), csv (every endpoint row), md (for a ticket).
    /// source=snapshot answers the stored final snapshot instead of computing it now.</summary>
    private static async Task<IResult> RunReportAsync(
        long id, string? format, string? source, int? transfersOffset, int? transfersLimit, HttpContext http, CancellationToken ct)
    {
        format = (format ?? "json").ToLowerInvariant();
        if (format is not ("json" or "csv" or "md" or "markdown"))
        {
            return Problems.Invalid("format", $"'{format}' is not a report format; accepted: json, csv, md");
        }

        if (source is not (null or "live" or "snapshot"))
        {
            return Problems.Invalid("source", $"'{source}' is not a report source; accepted: live (computed now), snapshot (the stored final report)");
        }

        if (transfersLimit is < 1 or > 1_000 || transfersOffset is < 0)
        {
            return Problems.Invalid(transfersOffset is < 0 ? "transfersOffset" : "transfersLimit", "transfersOffset ≥ 0 and transfersLimit 1-1000 are accepted");
        }

        var builder = Builder(http);
        if (source == "snapshot")
        {
            var store = http.RequestServices.GetRequiredService<Data.Reports.IRunReportStore>();
            return await store.GetSnapshotAsync(id, ct) is { } snapshot
                ? TypedResults.Text(snapshot.Report, "application/json; charset=utf-8")
                : Problems.NotFound($"A final report snapshot of run {id}");
        }

        var report = await builder.BuildAsync(id, transfersOffset ?? 0, transfersLimit ?? 100, withJobs: format == "json", ct);
        if (report is null)
        {
            return Problems.NotFound($"Run {id}");
        }

        switch (format)
        {
            case "csv":
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"run-{id}-endpoints.csv\"";
                return TypedResults.Text(RunReportCsv.Endpoints(report), "text/csv; charset=utf-8");
            case "md" or "markdown":
                return TypedResults.Text(RunReportMarkdown.Render(report, http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Hosting.OrchestratorOptions>>().Value.PublicBase), "text/markdown; charset=utf-8");
            default:
                return TypedResults.Json(report, RunReportBuilder.Json);
        }
    }

    /// <summary>Every (server, peer) pair of the run, largest first, streamed.</summary>
    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> TransfersCsvAsync(long id, HttpContext http, CancellationToken ct)
    {
        var runs = http.RequestServices.GetRequiredService<Data.Runs.IRunStore>();
        if (await runs.GetAsync(id, ct) is null)
        {
            return Problems.NotFound($"Run {id}");
        }

        var store = http.RequestServices.GetRequiredService<Data.Reports.IRunReportStore>();
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"run-{id}-transfers.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteAsync(RunReportCsv.TransfersHeader);
        await foreach (var transfer in store.StreamTransfersAsync(id, ct))
        {
            await writer.WriteAsync(RunReportCsv.Transfer(id, transfer));
        }

        await writer.FlushAsync(ct);
        return TypedResults.Empty;
    }

    private static async Task<IResult> WindowReportAsync(long id, HttpContext http, CancellationToken ct) =>
        await WindowBuilder(http).BuildAsync(id, ct) is { } report ? TypedResults.Json(report, RunReportBuilder.Json) : Problems.NotFound($"Window {id}");

    private static RunReportBuilder Builder(HttpContext http) => ActivatorUtilities.GetServiceOrCreateInstance<RunReportBuilder>(http.RequestServices);

    private static WindowReportBuilder WindowBuilder(HttpContext http) =>
        ActivatorUtilities.CreateInstance<WindowReportBuilder>(http.RequestServices, Builder(http));
}
