using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Orchestrator.Data.Access;

namespace Orchestrator.Server.Access;

/// <summary>
/// Ties a dashboard cookie to the API key it was signed in with. Every request that carries the cookie reads the key
/// again (one primary-key read): a revoked or expired key ends the session at its next request, and a changed role or
/// name applies at once. Nothing is cached, so a change made by any process (the API, the host recovery command) is
/// seen immediately.
/// </summary>
internal static class KeySessions
{
    public const string KeyIdClaim = "key_id";

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        var claim = context.Principal?.FindFirst(KeyIdClaim)?.Value;
        var key = long.TryParse(claim, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await http.RequestServices.GetRequiredService<IApiKeyStore>()
                .GetActiveAsync(id, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(), http.RequestAborted)
            : null;
        if (key is null)
        {
            context.RejectPrincipal();
            await http.SignOutAsync(Policies.CookieScheme);
            return;
        }

        var principal = context.Principal!;
        if (!principal.IsInRole(key.Role.ToString()) || principal.Identity?.Name != ApiKeys.ActorOf(key))
        {
            context.ReplacePrincipal(ApiKeys.PrincipalFor(key, Policies.CookieScheme));
            context.ShouldRenew = true;
        }
    }

    /// <summary>API callers with a refused cookie get 401/403 like a refused key; pages are sent to sign in.</summary>
    public static Task RedirectToLoginAsync(RedirectContext<CookieAuthenticationOptions> context) =>
        IsApi(context.Request) ? ProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized) : RedirectAsync(context);

    public static Task RedirectToAccessDeniedAsync(RedirectContext<CookieAuthenticationOptions> context) =>
        IsApi(context.Request) ? ProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden) : RedirectAsync(context);

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/openapi");

    private static Task RedirectAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static Task ProblemAsync(HttpContext http, int status)
    {
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return Results.Problem(
                statusCode: status,
                title: status == StatusCodes.Status401Unauthorized ? "Authentication required." : "This API key's role does not allow the request.",
                detail: status == StatusCodes.Status401Unauthorized
                    ? "The signed-in session ended (its key was revoked or expired, or the session signed out). Sign in again at /login or send an API key as 'Authorization: Bearer <key>'."
                    : "Viewer keys read; operator keys also change windows, groups, endpoints and runs; admin keys also manage keys, enrollment tokens and agents.")
            .ExecuteAsync(http);
    }
}
