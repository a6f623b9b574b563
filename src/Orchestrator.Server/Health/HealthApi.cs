using Hangfire;
using Microsoft.Extensions.Options;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Hosting.Storage;
using Quartz;

namespace Orchestrator.Server.Health;

/// <summary>/healthz: the one route served without authentication. 200 when the product database, Quartz's and Hangfire's store
/// answer (on SQLite: each file can be read and its write lock taken) within <see cref="OrchestratorOptions.HealthProbeTimeout"/>, Quartz runs and a
/// Hangfire server is alive; 503 otherwise, with each part's state.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckAsync).WithTags("Health").AllowAnonymous();
        return app;
    }

    private static async Task<IResult> CheckAsync(
        IStorageBackend storage, IServiceProvider services, ISchedulerFactory schedulers, JobStorage jobs, IOptions<OrchestratorOptions> options, CancellationToken ct)
    {
        var timeout = options.Value.HealthProbeTimeout;
        var db = await ProbeAsync(() => storage.ProbeDatabaseAsync(services, timeout, ct));
        var quartz = await ProbeAsync(async () =>
        {
            if (await storage.ProbeSchedulerStoreAsync(timeout, ct) is (false, var problem))
            {
                return (false, problem);
            }

            var scheduler = await schedulers.GetScheduler(ct);
            var status = await scheduler.GetStatus(ct);
            return (status == SchedulerStatus.Running, status.ToString().ToLowerInvariant());
        });
        var hangfire = await ProbeAsync(async () =>
        {
            if (await storage.ProbeJobStoreAsync(timeout, ct) is (false, var problem))
            {
                return (false, problem);
            }

            var servers = jobs.GetMonitoringApi().Servers().Count;
            return (servers > 0, $"{servers} server(s)");
        });

        var healthy = db.Ok && quartz.Ok && hangfire.Ok;
        return Results.Json(
            new { status = healthy ? "healthy" : "unhealthy", database = db, quartz, hangfire },
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Part> ProbeAsync(Func<Task<(bool Ok, string Detail)>> probe)
    {
        try
        {
            var (ok, detail) = await probe();
            return new Part(ok, detail);
        }
        catch (Exception e)
        {
            // A failing dependency is the answer, not an error of the health route.
            return new Part(false, e.Message);
        }
    }

    private sealed record Part(bool Ok, string Detail);
}
