using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Api;

/// <summary>
/// A database file locked by another writer (a backup tool, a sqlite3 shell, a stuck process) fails a statement with
/// SQLITE_BUSY or SQLITE_LOCKED after <see cref="OrchestratorOptions.DatabaseBusyTimeout"/>. That is a temporary
/// condition of the server, not a bug: 503 with Retry-After, so that clients and agents try again, instead of a 500.
/// </summary>
internal sealed class StoreBusyExceptionHandler(IProblemDetailsService problems, IOptions<OrchestratorOptions> options) : IExceptionHandler
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsBusy(exception))
        {
            return false;
        }

        var retryAfter = Math.Max(1, (int)Math.Ceiling(options.Value.DatabaseBusyTimeout.TotalSeconds));
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database is locked by another writer; try again shortly.",
                Detail = string.Create(CultureInfo.InvariantCulture,
                    $"A database file stayed locked for {options.Value.DatabaseBusyTimeout.TotalSeconds:0.#} s. Retry after {retryAfter} s; /healthz names the locked store."),
            },
        });
    }

    /// <summary>Quartz and Hangfire wrap the SQLite error in their own exceptions: look through the whole chain.</summary>
    internal static bool IsBusy(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked })
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsBusy))
            {
                return true;
            }
        }

        return false;
    }
}
