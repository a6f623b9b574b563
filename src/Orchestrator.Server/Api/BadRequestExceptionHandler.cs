using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Orchestrator.Data;

namespace Orchestrator.Server.Api;

/// <summary>
/// Turns what the framework rejects before a handler runs (malformed JSON, a wrong type, an unknown field, an
/// oversized body) and store conflicts into problem details that name the field.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "The request body is too large; nothing was changed.",
                Detail = $"Bodies up to {httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes are accepted.",
            },
            BadHttpRequestException { InnerException: JsonException json } => Invalid(json),
            BadHttpRequestException bad when BindingProblems.Describe(bad) is { } binding => binding,
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = "The request could not be read; nothing was changed.",
                Detail = BindingProblems.NamesNoType(bad.Message)
                    ? bad.Message
                    : "Check the body, the query string and the headers against the API reference (/openapi/v1.json).",
            },
            ConflictException conflict => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "The change conflicts with stored data; nothing was changed.",
                Detail = conflict.Message,
            },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ValidationProblemDetails Invalid(JsonException json)
    {
        var field = FieldName(json.Path);
        var message = json.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? "unknown field; check the spelling against the API reference (/openapi/v1.json)"
            : json.InnerException is FormatException or InvalidOperationException || json.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? "has the wrong type or format"
                : "the body is not valid JSON";
        if (json.Message.Contains("could not be mapped", StringComparison.Ordinal) && ExtractUnknownMember(json.Message) is { } unknown)
        {
            field = string.IsNullOrEmpty(field) || field == unknown || field.EndsWith("." + unknown, StringComparison.Ordinal) ? (string.IsNullOrEmpty(field) ? unknown : field) : $"{field}.{unknown}";
        }

        // The serializer's own message names the server's .NET types; the answer names the field and the problem only.
        var name = string.IsNullOrEmpty(field) ? "$" : field;
        return new ValidationProblemDetails(new Dictionary<string, string[]> { [name] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has invalid fields; nothing was changed.",
            Detail = $"{name}: {message}.",
        };
    }

    /// <summary>"$.scan.maxErrors" → "scan.maxErrors".</summary>
    private static string FieldName(string? path) => (path ?? "$").TrimStart('$').TrimStart('.');

    private static string? ExtractUnknownMember(string message)
    {
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }
}
