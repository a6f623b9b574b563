using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Orchestrator.Server.Api;

/// <summary>
/// The last exception handler: an error nothing else recognised. The answer (500) gives only a trace id
/// (<see cref="ProblemBodies"/>); the log line carries the same id in its text, with the method, the path (never the
/// query) and the exception, so that on-call finds it from the id a user quotes. The console prints no log scopes, so the
/// id must be in the line itself. Having handled it, the framework's own middleware does not log it a second time.
/// </summary>
internal sealed partial class UnexpectedErrorHandler(IProblemDetailsService problems, ILogger<UnexpectedErrorHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        LogFailed(log, exception, httpContext.TraceIdentifier, httpContext.Request.Method, httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status500InternalServerError },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {TraceId} ({Method} {Path}) failed")]
    private static partial void LogFailed(ILogger logger, Exception error, string traceId, string method, PathString path);
}
