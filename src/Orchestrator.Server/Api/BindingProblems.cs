using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace Orchestrator.Server.Api;

/// <summary>
/// A route or query value the framework could not bind ("Failed to bind parameter "Nullable&lt;int&gt; limit" from
/// "many"") as a problem that names the parameter and the value, without the framework's .NET type names.
/// </summary>
internal static partial class BindingProblems
{
    public static ValidationProblemDetails? Describe(BadHttpRequestException exception)
    {
        string field;
        string message;
        if (FailedToBind().Match(exception.Message) is { Success: true } failed)
        {
            field = failed.Groups["name"].Value;
            var value = failed.Groups["value"].Value;
            message = $"'{(value.Length > 100 ? value[..100] + "…" : value)}' is not a valid {Kind(failed.Groups["type"].Value)}";
        }
        else if (Missing().Match(exception.Message) is { Success: true } missing)
        {
            field = missing.Groups["name"].Value;
            message = "is required";
        }
        else
        {
            return null;
        }

        return new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has invalid fields; nothing was changed.",
            Detail = $"{field}: {message}.",
        };
    }

    /// <summary>Whether a framework message can be shown as it is ("Expected a supported JSON media type but got
    /// "text/plain"") because it names no parameter declaration and no .NET type.</summary>
    public static bool NamesNoType(string message) => !TypeLike().IsMatch(message);

    /// <summary>What a person would call the type: a number, a date-time, …</summary>
    private static string Kind(string type) => type.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>', '?') switch
    {
        "int" or "long" or "short" or "Int32" or "Int64" => "whole number",
        "double" or "decimal" or "float" => "number",
        "bool" or "Boolean" => "boolean (true or false)",
        "DateTimeOffset" or "DateTime" => "date-time (ISO 8601, e.g. 2026-01-31T22:00:00Z)",
        "TimeSpan" => "duration",
        "Guid" => "identifier",
        _ => "value",
    };

    [GeneratedRegex("""^Failed to bind parameter "(?<type>.+) (?<name>[A-Za-z0-9_]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex FailedToBind();

    [GeneratedRegex("""parameter "|Nullable|System\.|Microsoft\.|Orchestrator\.|`\d|<[A-Za-z]+>|\b(Int32|Int64|String|DateTimeOffset|TimeSpan|Guid)\b""")]
    private static partial Regex TypeLike();

    [GeneratedRegex("""^Required parameter "(?<type>.+) (?<name>[A-Za-z0-9_]+)" was not provided""")]
    private static partial Regex Missing();
}
