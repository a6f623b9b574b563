using System.Text.RegularExpressions;

namespace Orchestrator.Core.Endpoints;

/// <summary>Host name patterns of enrollment tokens: a host name in which '*' stands for any run of host name characters.</summary>
public static partial class HostnamePatterns
{
    public static bool IsValid(string? pattern) =>
        pattern is { Length: > 0 and <= EndpointValidator.MaxHostnameLength } && Pattern().IsMatch(pattern) && pattern.Any(c => c != '*' && c != '.');

    /// <summary>Whole-name, case-insensitive match (host names are compared case-insensitively everywhere).</summary>
    public static bool Matches(string pattern, string hostname)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(hostname);

        // Greedy wildcard matching with one backtrack point: linear for one '*', O(n·m) at worst, no regex to time out.
        int p = 0, h = 0, star = -1, resume = 0;
        while (h < hostname.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(hostname[h]))
            {
                p++;
                h++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = h;
            }
            else if (star >= 0)
            {
                p = star + 1;
                h = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    [GeneratedRegex("^[A-Za-z0-9*.-]+$")]
    private static partial Regex Pattern();
}
