using Orchestrator.Data.Access;

namespace Orchestrator.Server.Access;

/// <summary>Authorization policies; the roles nest (an operator can do what a viewer can, an admin all).</summary>
internal static class Policies
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static readonly string[] ViewerRoles = [nameof(Role.Viewer), nameof(Role.Operator), nameof(Role.Admin)];
    public static readonly string[] OperatorRoles = [nameof(Role.Operator), nameof(Role.Admin)];
    public static readonly string[] AdminRoles = [nameof(Role.Admin)];

    /// <summary>Authentication schemes: API keys for programs, a cookie (signed in with a key) for the dashboard.</summary>
    public const string ApiKeyScheme = "ApiKey";
    public const string CookieScheme = "Cookies";
    public const string SmartScheme = "KeyOrCookie";
}
