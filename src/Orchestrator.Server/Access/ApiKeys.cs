using System.Security.Claims;
using Orchestrator.Data.Access;
using Orchestrator.Server.Agents;

namespace Orchestrator.Server.Access;

internal static class ApiKeys
{
    public const string Prefix = "ork_";
    public const int MinimumBootstrapLength = 32;

    public static string New() => Secrets.New(Prefix);

    public static ClaimsPrincipal PrincipalFor(ApiKeyRecord key, string scheme) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, ActorOf(key)), new Claim(ClaimTypes.Role, key.Role.ToString()), new Claim(KeySessions.KeyIdClaim, key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            scheme));

    /// <summary>How the audit log names a key's requests.</summary>
    public static string ActorOf(ApiKeyRecord key) => $"key:{key.Name}";

    /// <summary>The key in <c>Authorization: Bearer …</c> or <c>X-Api-Key</c>, if any.</summary>
    public static string? FromRequest(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return request.Headers["X-Api-Key"].ToString() is { Length: > 0 } key ? key.Trim() : null;
    }
}
