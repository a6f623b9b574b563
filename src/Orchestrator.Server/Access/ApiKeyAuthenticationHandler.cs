using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Orchestrator.Data.Access;
using Orchestrator.Server.Agents;

namespace Orchestrator.Server.Access;

/// <summary>Authenticates ops requests by API key; a key that is unknown, revoked or expired authenticates nothing.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IApiKeyStore keys, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeys.FromRequest(Request) is not { } presented)
        {
            return AuthenticateResult.NoResult();
        }

        var key = presented.Length <= 200 ? await keys.FindActiveAsync(Secrets.Hash(presented), time.GetUtcNow(), Context.RequestAborted) : null;
        return key is null
            ? AuthenticateResult.Fail("unknown, revoked or expired API key")
            : AuthenticateResult.Success(new AuthenticationTicket(ApiKeys.PrincipalFor(key, Scheme.Name), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Authentication required.",
                detail: "Send an API key as 'Authorization: Bearer <key>' (or X-Api-Key). Keys are created by an admin with POST /api/v1/keys.")
            .ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "This API key's role does not allow the request.",
                detail: "Viewer keys read; operator keys also change windows, groups, endpoints and runs; admin keys also manage keys, enrollment tokens and agents.")
            .ExecuteAsync(Context);
    }
}
