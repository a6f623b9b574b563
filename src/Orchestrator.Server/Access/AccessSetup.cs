using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Orchestrator.Data.Access;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Access;

internal static class AccessSetup
{
    public static IServiceCollection AddOrchestratorAccess(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentActor>();
        services.AddAuthentication(Policies.SmartScheme)
            .AddPolicyScheme(Policies.SmartScheme, "API key or dashboard cookie", o =>
                o.ForwardDefaultSelector = SchemeFor)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Policies.ApiKeyScheme, null)
            .AddCookie(Policies.CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/login";
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Viewer, p => p.RequireRole(Policies.ViewerRoles))
            .AddPolicy(Policies.Operator, p => p.RequireRole(Policies.OperatorRoles))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Policies.AdminRoles))
            // Deny by default: a route that says nothing about access needs a signed-in caller.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return services;
    }

    public const string CookieName = "orchestrator.auth";

    /// <summary>A presented key decides; otherwise pages (dashboard, reports) and signed-in browsers use the cookie, and
    /// API callers get a 401 that says how to authenticate.</summary>
    private static string SchemeFor(HttpContext http)
    {
        if (ApiKeys.FromRequest(http.Request) is not null)
        {
            return Policies.ApiKeyScheme;
        }

        var path = http.Request.Path;
        return path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/reports") || http.Request.Cookies.ContainsKey(CookieName)
            ? Policies.CookieScheme
            : Policies.ApiKeyScheme;
    }

    /// <summary>
    /// On the first start (no key at all) creates the first admin key: from <c>Orchestrator:BootstrapAdminKey</c>
    /// when set, otherwise a new one printed once to the console.
    /// </summary>
    public static async Task BootstrapAsync(IServiceProvider services, OrchestratorOptions settings, ILogger log)
    {
        var keys = services.GetRequiredService<IApiKeyStore>();
        if (await keys.AnyAsync())
        {
            return;
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (settings.BootstrapAdminKey is { Length: > 0 } configured)
        {
            await keys.CreateAsync("bootstrap-admin", Secrets.Hash(configured), Role.Admin, null, "bootstrap", now);
            log.LogInformation("Created the first admin API key 'bootstrap-admin' from Orchestrator:BootstrapAdminKey");
            return;
        }

        var key = ApiKeys.New();
        await keys.CreateAsync("bootstrap-admin", Secrets.Hash(key), Role.Admin, null, "bootstrap", now);
        await Console.Out.WriteLineAsync(
            $"""

             ============================================================================
              First start: created the admin API key 'bootstrap-admin'. It is shown once.
              {key}
              Use it as 'Authorization: Bearer <key>', create personal keys with
              POST /api/v1/keys, then revoke this one.
             ============================================================================

             """);
    }
}
