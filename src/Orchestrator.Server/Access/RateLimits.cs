using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Access;

/// <summary>
/// Per-caller limits: sign-in and enrollment by client address, ops writes by API key; agents by authenticated agent
/// id and refused agent credentials by client address (<see cref="AgentRateLimiter"/>, applied by
/// <see cref="Agents.AgentAuthentication"/>). A refused request gets 429 with Retry-After and a problem document that
/// says so.
/// </summary>
internal static class RateLimits
{
    public const string Auth = "auth";
    public const string Writes = "writes";

    public static IServiceCollection AddOrchestratorRateLimits(this IServiceCollection services, OrchestratorOptions settings)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Auth, http => PerMinute(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", settings.SignInAttemptsPerMinute));
            limiter.AddPolicy(Writes, http => PerMinute(http.User.Identity?.Name ?? http.Connection.RemoteIpAddress?.ToString() ?? "unknown", settings.WritesPerMinute));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60);
                await TooMany(context.HttpContext, retryAfter).ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> PerMinute(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    /// <summary>429 with Retry-After (whole seconds, at least 1) and a problem document that says so.</summary>
    public static IResult TooMany(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests.",
            detail: $"This caller's rate limit is reached; retry after {seconds} s.");
    }
}
