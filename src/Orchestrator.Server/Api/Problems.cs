using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Core;

namespace Orchestrator.Server.Api;

/// <summary>The error answers every API route gives, as RFC 9457 problem details.</summary>
internal static class Problems
{
    public static ValidationProblem Invalid(IEnumerable<FieldError> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: "The request has invalid fields; nothing was changed.");

    public static ValidationProblem Invalid(string field, string message) => Invalid([new FieldError(field, message)]);

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} was not found.");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The change conflicts with stored data; nothing was changed.", detail: detail);
}
