using System.Net;
using System.Text;
using Orchestrator.Cli.Shell;

namespace Orchestrator.Cli.Api;

/// <summary>The server answered with an error status (exit 3). <see cref="Problem"/> carries its field errors, if any.</summary>
internal sealed class ApiException(string request, HttpStatusCode status, ProblemDto? problem, string? body)
    : CliException(ExitCodes.ServerError, Describe(request, status, problem, body))
{
    public HttpStatusCode Status { get; } = status;

    public ProblemDto? Problem { get; } = problem;

    private static string Describe(string request, HttpStatusCode status, ProblemDto? problem, string? body)
    {
        var text = new StringBuilder($"the server answered {request} with {(int)status} {status}");
        if (problem?.Title is { } title)
        {
            text.Append(": ").Append(title);
        }
        else if (!string.IsNullOrWhiteSpace(body))
        {
            text.Append(": ").Append(body.Length > 500 ? body[..500] + "…" : body);
        }

        if (problem?.Detail is { } detail)
        {
            text.Append("\n  ").Append(detail);
        }

        foreach (var (field, messages) in problem?.Errors ?? [])
        {
            foreach (var message in messages)
            {
                text.Append("\n  ").Append(field).Append(": ").Append(message);
            }
        }

        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            text.Append($"\n  set {CliEnvironment.ApiKey} or apiKey: in the config file to a key the server accepts");
        }

        return text.ToString();
    }
}
