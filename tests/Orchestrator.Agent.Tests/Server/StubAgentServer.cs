using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Server;

/// <summary>
/// A real HTTP server (<see cref="HttpListener"/> on a free loopback port) that answers the agent protocol as a server
/// with peer sets does: enrollment, the state poll (200 with <see cref="State"/> while the agent holds another version,
/// else 304) and <c>GET /agent/v1/peer-sets/{hash}</c> gzip-compressed with the hash as ETag. It records every request.
/// (Not Kestrel: a framework reference to ASP.NET Core in this project would change how the agent's own process, started
/// from this output folder by other tests, resolves its assemblies.)
/// </summary>
internal sealed class StubAgentServer : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly Task serving;

    private StubAgentServer(HttpListener listener, Uri url)
    {
        this.listener = listener;
        Url = url;
        serving = Task.Run(ServeAsync);
    }

    public DesiredStateV1? State { get; set; }

    public ConcurrentDictionary<string, PeerSetV1> Sets { get; } = new(StringComparer.Ordinal);

    /// <summary>The next this many peer-set requests are answered 503.</summary>
    public int FailSetFetches { get; set; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public int SetFetches => Requests.Count(r => r.StartsWith(AgentProtocolV1.PeerSetsPath, StringComparison.Ordinal));

    public Uri Url { get; }

    public static StubAgentServer Start()
    {
        // HttpListener cannot bind port 0: take a port the kernel just handed out, and try again if it was taken meanwhile.
        for (var attempt = 0; ; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var url = new Uri($"http://127.0.0.1:{port}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return new StubAgentServer(listener, url);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Close();
        try
        {
            await serving;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
            // Closing the listener ends the accept loop.
        }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await AnswerAsync(context);
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var (request, response) = (context.Request, context.Response);
        var path = request.Url!.AbsolutePath;
        Requests.Enqueue(request.Url.PathAndQuery);
        if (path == AgentProtocolV1.EnrollPath)
        {
            await JsonAsync(response, new EnrollResponseV1("agent-1", 1, "secret-1"));
        }
        else if (path == AgentProtocolV1.StatePath)
        {
            if (State is { } state && state.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) != request.QueryString["version"])
            {
                await JsonAsync(response, state);
            }
            else
            {
                response.StatusCode = 304;
            }
        }
        else if (path.StartsWith(AgentProtocolV1.PeerSetsPath + "/", StringComparison.Ordinal))
        {
            var hash = path[(AgentProtocolV1.PeerSetsPath.Length + 1)..];
            if (FailSetFetches > 0)
            {
                FailSetFetches--;
                response.StatusCode = 503;
            }
            else if (!Sets.TryGetValue(hash, out var set))
            {
                response.StatusCode = 404;
            }
            else
            {
                var body = new MemoryStream();
                await using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true))
                {
                    await JsonSerializer.SerializeAsync(gzip, set, JsonSerializerOptions.Web);
                }

                response.ContentType = "application/json";
                response.AddHeader("Content-Encoding", "gzip");
                response.AddHeader("ETag", $"\"{hash}\"");
                await response.OutputStream.WriteAsync(body.ToArray());
            }
        }
        else
        {
            response.StatusCode = 404;
        }
    }

    private static async Task JsonAsync<T>(HttpListenerResponse response, T body)
    {
        response.ContentType = "application/json";
        await response.OutputStream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerOptions.Web));
    }
}
