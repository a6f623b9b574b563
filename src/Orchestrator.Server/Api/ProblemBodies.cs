using Microsoft.AspNetCore.Http;

namespace Orchestrator.Server.Api;

/// <summary>
/// Every problem answer: an unexpected error (500) says only that it happened and how to find it in the server log
/// (the trace id), never the exception, its .NET type or a stack trace, whatever the hosting environment.
/// </summary>
internal static class ProblemBodies
{
    public static void WithoutInternals(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Extensions.Remove("exception");
        problem.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        if (problem.Status is >= 500 && context.Exception is not null)
        {
            problem.Title = "The server could not complete the request.";
            problem.Detail = $"The server log has the details under trace id {context.HttpContext.TraceIdentifier}.";
        }
    }
}
