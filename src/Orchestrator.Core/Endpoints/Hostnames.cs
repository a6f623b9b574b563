using System.Text.RegularExpressions;

namespace Orchestrator.Core.Endpoints;

public static partial class Hostnames
{
    public static bool IsValid(string? hostname) =>
        hostname is { Length: > 0 and <= EndpointValidator.MaxHostnameLength } && Pattern().IsMatch(hostname);

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex Pattern();
}
