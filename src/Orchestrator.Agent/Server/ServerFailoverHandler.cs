using System.Net;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Agent.Server;

/// <summary>
/// Sends every request to the current server node. When that node cannot be reached (connection refused or reset,
/// also mid-request, as when the node is killed under a parked long-poll) or a load balancer in front of it answers
/// 502/503/504, the request goes to the next node at once, each node tried at most once per request; the agent then
/// stays on the node that answered. A request that times out (a node that accepts but never answers) is not repeated,
/// but the next request goes to the next node. With one URL nothing changes: failures reach the caller as before.
/// </summary>
/// <remarks>Every agent request may be repeated: the state poll is a GET, reports are idempotent by report id, and a
/// refused connection never reached the server.</remarks>
internal sealed partial class ServerFailoverHandler(ServerNodes nodes, ILogger<ServerFailoverHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null && nodes.Urls.Count > 1)
        {
            // Sent once per node at most: buffered so a second node gets the same bytes.
            await request.Content.LoadIntoBufferAsync(cancellationToken);
        }

        var path = request.RequestUri!.PathAndQuery;
        for (var tried = 1; ; tried++)
        {
            var index = nodes.CurrentIndex;
            request.RequestUri = new Uri(nodes.Urls[index], path);
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                if (nodes.Urls.Count == 1 || tried == nodes.Urls.Count ||
                    response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    return response;
                }

                LogMoving(logger, nodes.Urls[index], $"it answered {(int)response.StatusCode}", nodes.Urls[nodes.MoveOnFrom(index)]);
                response.Dispose();
            }
            catch (HttpRequestException error) when (nodes.Urls.Count > 1 && tried < nodes.Urls.Count && !cancellationToken.IsCancellationRequested)
            {
                LogMoving(logger, nodes.Urls[index], error.Message, nodes.Urls[nodes.MoveOnFrom(index)]);
            }
            catch (OperationCanceledException) when (nodes.Urls.Count > 1)
            {
                // The HTTP timeout or the agent stopping; either way this node did not answer in time, so the next
                // request tries another one (the caller's backoff decides when).
                nodes.MoveOnFrom(index);
                throw;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server node {Failed} cannot be used ({Reason}); moving to {Next}")]
    private static partial void LogMoving(ILogger logger, Uri failed, string reason, Uri next);
}
