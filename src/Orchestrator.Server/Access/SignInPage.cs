using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Orchestrator.Data.Access;
using Orchestrator.Server.Agents;

namespace Orchestrator.Server.Access;

/// <summary>
/// /login: a person signs in to the dashboard by pasting an API key; the server keeps only a cookie that names the
/// key, and every request with it checks the key again (<see cref="KeySessions"/>). /logout: a page with a sign-out
/// button, linked from the dashboard and the report pages. Both forms carry an antiforgery token.
/// </summary>
internal static class SignInPage
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (string? returnUrl, string? error, HttpContext http, IAntiforgery antiforgery) =>
                Results.Content(Page(returnUrl, error, antiforgery.GetAndStoreTokens(http)), "text/html; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/login", SignInAsync).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.Auth).ExcludeFromDescription();
        app.MapGet("/logout", (HttpContext http, IAntiforgery antiforgery) =>
                Results.Content(SignOutPage(http.User.Identity?.Name, antiforgery.GetAndStoreTokens(http)), "text/html; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return FormRefused();
            }

            await http.SignOutAsync(Policies.CookieScheme);
            return Results.Redirect("/login");
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        SignOutMenu.Register();
        return app;
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IApiKeyStore keys, TimeProvider time, IAntiforgery antiforgery)
    {
        if (!http.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(http))
        {
            return FormRefused();
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var presented = form["key"].ToString().Trim();
        var returnUrl = LocalOnly(form["returnUrl"].ToString());
        var key = presented.Length is > 0 and <= 200 ? await keys.FindActiveAsync(Secrets.Hash(presented), time.GetUtcNow(), http.RequestAborted) : null;
        if (key is null)
        {
            return Results.Redirect($"/login?error=1&returnUrl={WebUtility.UrlEncode(returnUrl)}");
        }

        await http.SignInAsync(Policies.CookieScheme, ApiKeys.PrincipalFor(key, Policies.CookieScheme));
        return Results.Redirect(returnUrl);
    }

    private static IResult FormRefused() => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "The form was refused; nothing was changed.",
        detail: "The form's antiforgery token (field __csrf) is missing, expired or from another site. Open the page again and resubmit it.");

    /// <summary>Only paths on this server: an open redirect would let a link send a signed-in person anywhere.</summary>
    private static string LocalOnly(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";

    private const string Style = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;color:#222}input{width:100%;padding:.5rem;margin:.5rem 0;box-sizing:border-box}button{padding:.5rem 1rem}.error{color:#a00}";

    private static string Token(AntiforgeryTokenSet tokens) =>
        $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(tokens.FormFieldName)}\" value=\"{WebUtility.HtmlEncode(tokens.RequestToken)}\">";

    private static string Page(string? returnUrl, string? error, AntiforgeryTokenSet tokens) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Orchestrator · sign in</title>
        <style>{{Style}}</style></head>
        <body><h1>Orchestrator</h1><p>Sign in with an API key. Viewer keys see the dashboard read-only.</p>
        {{(error is null ? "" : "<p class=\"error\">That key is unknown, revoked or expired.</p>")}}
        <form method="post" action="/login">{{Token(tokens)}}
        <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(LocalOnly(returnUrl))}}">
        <label for="key">API key</label><input id="key" name="key" type="password" autocomplete="off" autofocus required>
        <button type="submit">Sign in</button></form></body></html>
        """;

    private static string SignOutPage(string? who, AntiforgeryTokenSet tokens) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Orchestrator · sign out</title>
        <style>{{Style}}</style></head>
        <body><h1>Orchestrator</h1><p>{{(who is null ? "You are not signed in." : $"Signed in as {WebUtility.HtmlEncode(who)}.")}}</p>
        <form method="post" action="/logout">{{Token(tokens)}}<button type="submit">Sign out</button></form>
        <p><a href="/">Home</a> · <a href="/hangfire">Back to the dashboard</a></p></body></html>
        """;
}
