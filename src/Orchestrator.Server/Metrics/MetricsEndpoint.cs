using OpenTelemetry.Metrics;
using Orchestrator.Server.Access;

namespace Orchestrator.Server.Metrics;

/// <summary>
/// <c>GET /metrics</c>: the Prometheus text format from OpenTelemetry's exporter, behind the same sign-in as the API
/// (a viewer key as bearer token, or the session cookie); never anonymous.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void AddOrchestratorMetrics(this IServiceCollection services)
    {
        services.AddSingleton<FleetSnapshot>();
        services.AddSingleton<OrchestratorMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(OrchestratorMetrics.MeterName)
            // No cached answer: a scrape right after a change shows it (Prometheus scrapes every 15 s or more anyway).
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
    }

    public static void MapMetrics(this WebApplication app)
    {
        // Created now so that its gauges exist before the first report or change feeds a counter.
        app.Services.GetRequiredService<OrchestratorMetrics>();
        app.MapPrometheusScrapingEndpoint(
                Path,
                meterProvider: null,
                configureBranchedPipeline: branch => branch.Use(async (context, next) =>
                {
                    await context.RequestServices.GetRequiredService<FleetSnapshot>().RefreshAsync(context.RequestAborted);
                    await next(context);
                }),
                optionsName: null)
            .RequireAuthorization(Policies.Viewer);
    }
}
