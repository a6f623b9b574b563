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
                o.Events.OnValidatePrincipal = KeySessions.ValidateAsync;
                o.Events.OnRedirectToLogin = KeySessions.RedirectToLoginAsync;
                o.Events.OnRedirectToAccessDenied = KeySessions.RedirectToAccessDeniedAsync;
            });
        // Sign-in, sign-out and the Hangfire dashboard (which uses IAntiforgery when it is registered) check a token
        // on every POST: SameSite alone does not stop a request from a sibling subdomain or an older browser.
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "orchestrator.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__csrf";
        });
        services.AddHostedService<FirstAdminKey>();
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
        return path == "/" || path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/reports") || http.Request.Cookies.ContainsKey(CookieName)
            ? Policies.CookieScheme
            : Policies.ApiKeyScheme;
    }

    /// <summary>
    /// On the first start (no key at all) with <c>Orchestrator:BootstrapAdminKey</c> set, creates the first admin key
    /// from it before the server serves. Without the setting, <see cref="FirstAdminKey"/> generates and prints one once
    /// the server listens, so a start that fails (port taken) consumes nothing.
    /// </summary>
    public static async Task BootstrapAsync(IServiceProvider services, OrchestratorOptions settings, ILogger log)
    {
        var keys = services.GetRequiredService<IApiKeyStore>();
        if (settings.BootstrapAdminKey is not { Length: > 0 } configured || await keys.AnyAsync())
        {
            return;
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await keys.CreateAsync("bootstrap-admin", Secrets.Hash(configured), Role.Admin, null, "bootstrap", now);
        log.LogInformation("Created the first admin API key 'bootstrap-admin' from Orchestrator:BootstrapAdminKey");
    }
}
