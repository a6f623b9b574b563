using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Access;

/// <summary>
/// Per-caller limits: agents by agent id, sign-in and enrollment by client address, ops writes by API key. A
/// refused request gets 429 with Retry-After and a problem document that says so.
/// </summary>
internal static class RateLimits
{
    public const string Agent = "agent";
    public const string Auth = "auth";
    public const string Writes = "writes";

    public static IServiceCollection AddOrchestratorRateLimits(this IServiceCollection services, OrchestratorOptions settings)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Agent, http => PerMinute(AgentOf(http), settings.AgentRequestsPerMinute));
            limiter.AddPolicy(Auth, http => PerMinute(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", settings.SignInAttemptsPerMinute));
            limiter.AddPolicy(Writes, http => PerMinute(http.User.Identity?.Name ?? http.Connection.RemoteIpAddress?.ToString() ?? "unknown", settings.WritesPerMinute));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                        statusCode: StatusCodes.Status429TooManyRequests,
                        title: "Too many requests.",
                        detail: $"This caller's rate limit is reached; retry after {seconds} s.")
                    .ExecuteAsync(context.HttpContext);
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

    /// <summary>The agent id of <c>Authorization: Agent id:secret</c>; before authentication, so it is only a partition key.</summary>
    private static string AgentOf(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        return colon > 6 ? header[6..colon] : http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }
}
