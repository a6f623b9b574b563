using Microsoft.AspNetCore.Http.Features;

namespace Orchestrator.Server.Api;

/// <summary>
/// A body over a route's limit can be refused before any handler or exception handler runs (the framework answers
/// 413 itself when the declared length is already too large); its problem still says what is accepted.
/// </summary>
internal static class TooLargeProblem
{
    public static void Describe(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge && context.ProblemDetails.Detail is null)
        {
            context.ProblemDetails.Title = "The request body is too large; nothing was changed.";
            context.ProblemDetails.Detail =
                $"Bodies up to {context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes are accepted on this route.";
        }
    }
}
