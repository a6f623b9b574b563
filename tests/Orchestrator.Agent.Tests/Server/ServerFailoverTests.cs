using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Server;
using Orchestrator.Testing.Server;

namespace Orchestrator.Agent.Tests.Server;

/// <summary>
/// An agent given several server nodes, over real HTTP on loopback: it moves to a live node when its node refuses
/// connections, dies under a parked long-poll, or sits behind a balancer answering 503, and stays there.
/// </summary>
public sealed class ServerFailoverTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAgentWhoseNodeRefusesConnectionsMovesToTheNextNodeAndStaysThere()
    {
        var dead = RefusedPort.Url();
        await using var live = LoopbackNode.Answering(HttpStatusCode.OK, "live");
        var nodes = Nodes(dead, live.Url);
        using var http = Client(nodes);

        Assert.Equal("live", await http.GetStringAsync("/agent/v1/state?version=0&wait=25", Token));
        Assert.Equal("live", await http.GetStringAsync("/agent/v1/state?version=0&wait=25", Token));

        Assert.Equal(live.Url, nodes.Current);
        Assert.Equal(["GET /agent/v1/state?version=0&wait=25", "GET /agent/v1/state?version=0&wait=25"], live.Requests);
    }

    [Fact]
    public async Task ALongPollParkedOnANodeThatDiesIsAnsweredByTheNextNodeAtOnce()
    {
        await using var dying = LoopbackNode.Parking();
        await using var live = LoopbackNode.Answering(HttpStatusCode.OK, "state from the live node");
        using var http = Client(Nodes(dying.Url, live.Url));
        http.Timeout = TimeSpan.FromSeconds(40);

        var poll = http.GetStringAsync("/agent/v1/state?version=7&wait=25", Token);
        await dying.Parked.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        var killed = Stopwatch.StartNew();
        dying.Kill();

        Assert.Equal("state from the live node", await poll.WaitAsync(TimeSpan.FromSeconds(10), Token));
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(5), $"answered {killed.Elapsed} after the node died, not at once");
        Assert.Equal(["GET /agent/v1/state?version=7&wait=25"], live.Requests);
    }

    [Fact]
    public async Task A503FromABalancerSendsTheSameReportToTheNextNode()
    {
        await using var draining = LoopbackNode.Answering(HttpStatusCode.ServiceUnavailable, "");
        await using var live = LoopbackNode.Answering(HttpStatusCode.Accepted, "");
        using var http = Client(Nodes(draining.Url, live.Url));

        using var response = await http.PostAsync(
            "/agent/v1/reports", new StringContent("{\"reportId\":\"r-1\"}", Encoding.UTF8, "application/json"), Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(["POST /agent/v1/reports {\"reportId\":\"r-1\"}"], draining.Requests);
        Assert.Equal(["POST /agent/v1/reports {\"reportId\":\"r-1\"}"], live.Requests);
    }

    [Fact]
    public async Task WhenEveryNodeFailsEachIsTriedOnceAndTheLastAnswerReachesTheAgent()
    {
        await using var first = LoopbackNode.Answering(HttpStatusCode.ServiceUnavailable, "");
        await using var second = LoopbackNode.Answering(HttpStatusCode.BadGateway, "");
        using var http = Client(Nodes(first.Url, second.Url));

        using var response = await http.GetAsync("/agent/v1/state?version=0&wait=1", Token);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Single(first.Requests);
        Assert.Single(second.Requests);
    }

    [Fact]
    public async Task WithOneNodeAFailureReachesTheAgentUnchanged()
    {
        await using var draining = LoopbackNode.Answering(HttpStatusCode.ServiceUnavailable, "");
        using var http = Client(Nodes(draining.Url));
        using var response = await http.GetAsync("/agent/v1/state?version=0&wait=1", Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(draining.Requests);

        using var refused = Client(Nodes(RefusedPort.Url()));
        await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetAsync("/agent/v1/state", Token));
    }

    private static ServerNodes Nodes(params Uri[] urls) => new(urls);

    private static HttpClient Client(ServerNodes nodes) =>
        new(new ServerFailoverHandler(nodes, NullLogger<ServerFailoverHandler>.Instance) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = nodes.Urls[0],
        };

    /// <summary>
    /// A minimal HTTP/1.1 node on a real loopback socket: answers every request with a fixed status and body, or parks
    /// requests until <see cref="Kill"/> resets every connection, as a killed process's kernel does.
    /// </summary>
    private sealed class LoopbackNode : IAsyncDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private readonly List<Socket> connections = [];
        private readonly List<string> requests = [];
        private readonly HttpStatusCode? status;
        private readonly string body;
        private readonly Task loop;

        private LoopbackNode(HttpStatusCode? status, string body)
        {
            this.status = status;
            this.body = body;
            listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
            loop = AcceptAsync();
        }

        public Uri Url { get; }

        public TaskCompletionSource Parked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<string> Requests { get { lock (requests) { return [.. requests]; } } }

        public static LoopbackNode Answering(HttpStatusCode status, string body) => new(status, body);

        public static LoopbackNode Parking() => new(null, "");

        public void Kill()
        {
            listener.Stop();
            lock (connections)
            {
                foreach (var socket in connections)
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }

                connections.Clear();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            Kill();
            try
            {
                await loop;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(stop.Token);
                lock (connections)
                {
                    connections.Add(socket);
                }

                _ = ServeAsync(socket);
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            try
            {
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                while (await ReadRequestAsync(stream) is { } request)
                {
                    lock (requests)
                    {
                        requests.Add(request);
                    }

                    if (status is not { } answer)
                    {
                        Parked.TrySetResult();
                        await Task.Delay(Timeout.Infinite, stop.Token);
                        return;
                    }

                    var payload = Encoding.UTF8.GetBytes(body);
                    var head = $"HTTP/1.1 {(int)answer} {answer}\r\nContent-Length: {payload.Length}\r\nContent-Type: text/plain\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(payload).ToArray(), stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        /// <summary>"METHOD path[ body]" of the next request on the connection, or null when it closed.</summary>
        private async Task<string?> ReadRequestAsync(NetworkStream stream)
        {
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one, stop.Token) == 0)
                {
                    return null;
                }

                head.Append((char)one[0]);
            }

            var lines = head.ToString().Split("\r\n");
            var length = lines.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            var content = new byte[length];
            await stream.ReadExactlyAsync(content, stop.Token);
            var requestLine = lines[0].Split(' ');
            return length == 0 ? $"{requestLine[0]} {requestLine[1]}" : $"{requestLine[0]} {requestLine[1]} {Encoding.UTF8.GetString(content)}";
        }
    }
}
