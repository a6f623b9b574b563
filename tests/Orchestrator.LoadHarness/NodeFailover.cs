using System.Net;

namespace Orchestrator.LoadHarness;

/// <summary>
/// One virtual agent's server nodes (two-node mode): its first node, then the other, and the one it talks to now; as
/// the real agent's <c>ServerNodes</c> (src/Orchestrator.Agent/Server), plus what the failover figure needs: where and
/// since when its long-poll is parked.
/// </summary>
internal sealed class AgentNodes(IReadOnlyList<Uri> urls, Func<long> nowMs)
{
    private int _current;
    private long _parkedSince;
    private int _parkedOn = -1;

    public IReadOnlyList<Uri> Urls { get; } = urls;

    public int CurrentIndex => Volatile.Read(ref _current);

    public Uri Current => Urls[CurrentIndex];

    /// <summary>The node index of the poll in flight (−1: none); valid with <see cref="ParkedSince"/>.</summary>
    public int ParkedOn => Volatile.Read(ref _parkedOn);

    /// <summary>Unix ms at which the poll now in flight (or answered) was sent to <see cref="ParkedOn"/>; 0 after it failed.</summary>
    public long ParkedSince => Interlocked.Read(ref _parkedSince);

    public int MoveOnFrom(int failed)
    {
        Interlocked.CompareExchange(ref _current, (failed + 1) % Urls.Count, failed);
        return CurrentIndex;
    }

    public void PollSent(int index)
    {
        Volatile.Write(ref _parkedOn, index);
        Interlocked.Exchange(ref _parkedSince, nowMs());
    }

    public void PollFailed() => Interlocked.Exchange(ref _parkedSince, 0);
}

/// <summary>
/// The real agent's failover (src/Orchestrator.Agent/Server/ServerFailoverHandler.cs), shared by every virtual agent:
/// a request carrying an agent's <see cref="AgentNodes"/> goes to that agent's current node; when the node cannot be
/// reached (connection refused or reset, also under a parked long-poll when the node is killed) or answers 502/503/504
/// it goes to the next node at once, each node tried once per request, and the agent stays on the node that answered.
/// A request that times out is not repeated, but the agent's next request goes to the next node. Requests without
/// nodes (enrollment, admin calls) pass through unchanged.
/// </summary>
internal sealed class NodeFailoverHandler : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<AgentNodes> Nodes = new("load-harness.nodes");

    /// <summary>Marks the long-poll, whose parking the failover figure follows.</summary>
    public static readonly HttpRequestOptionsKey<bool> Poll = new("load-harness.poll");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(Nodes, out var nodes))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var poll = request.Options.TryGetValue(Poll, out var isPoll) && isPoll;
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken);
        }

        var path = request.RequestUri!.PathAndQuery;
        for (var tried = 1; ; tried++)
        {
            var index = nodes.CurrentIndex;
            request.RequestUri = new Uri(nodes.Urls[index], path);
            if (poll)
            {
                nodes.PollSent(index);
            }

            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                var unavailable = response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
                if (poll && !response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotModified)
                {
                    nodes.PollFailed();
                }

                if (!unavailable || tried == nodes.Urls.Count)
                {
                    return response;
                }

                nodes.MoveOnFrom(index);
                response.Dispose();
            }
            catch (HttpRequestException) when (tried < nodes.Urls.Count && !cancellationToken.IsCancellationRequested)
            {
                if (poll)
                {
                    nodes.PollFailed();
                }

                nodes.MoveOnFrom(index);
            }
            catch (OperationCanceledException)
            {
                // The HTTP timeout or the harness stopping: this node did not answer in time, so the next request
                // tries another one.
                if (poll)
                {
                    nodes.PollFailed();
                }

                nodes.MoveOnFrom(index);
                throw;
            }
            catch (Exception) when (poll)
            {
                nodes.PollFailed();
                throw;
            }
        }
    }
}
