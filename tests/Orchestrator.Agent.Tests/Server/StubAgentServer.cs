using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Server;

/// <summary>
/// A real HTTP server (Kestrel on a free loopback port) that answers the agent protocol as a server with peer sets does:
/// enrollment, the state poll (200 with <see cref="State"/> while the agent holds an older version, else 304) and
/// <c>GET /agent/v1/peer-sets/{hash}</c> gzip-compressed with the hash as ETag. It records what the agent asked for.
/// </summary>
internal sealed class StubAgentServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private StubAgentServer(WebApplication app) => this.app = app;

    public DesiredStateV1? State { get; set; }

    public ConcurrentDictionary<string, PeerSetV1> Sets { get; } = new(StringComparer.Ordinal);

    /// <summary>The next this many peer-set requests are answered 503.</summary>
    public int FailSetFetches { get; set; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public int SetFetches => Requests.Count(r => r.StartsWith(AgentProtocolV1.PeerSetsPath, StringComparison.Ordinal));

    public Uri Url => new(app.Urls.First());

    public static async Task<StubAgentServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new StubAgentServer(app);
        app.Use(async (context, next) =>
        {
            stub.Requests.Enqueue(context.Request.Path + context.Request.QueryString);
            await next(context);
        });
        app.MapPost(AgentProtocolV1.EnrollPath, () => Results.Json(new EnrollResponseV1("agent-1", 1, "secret-1"), JsonSerializerOptions.Web));
        app.MapGet(AgentProtocolV1.StatePath, (long version) =>
            stub.State is { } state && state.Version != version ? Results.Json(state, JsonSerializerOptions.Web) : Results.StatusCode(304));
        app.MapGet(AgentProtocolV1.PeerSetsPath + "/{hash}", async (string hash, HttpContext context) =>
        {
            if (stub.FailSetFetches > 0)
            {
                stub.FailSetFetches--;
                return Results.StatusCode(503);
            }

            if (!stub.Sets.TryGetValue(hash, out var set))
            {
                return Results.NotFound();
            }

            var body = new MemoryStream();
            await using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true))
            {
                await JsonSerializer.SerializeAsync(gzip, set, JsonSerializerOptions.Web);
            }

            context.Response.Headers.ContentEncoding = "gzip";
            context.Response.Headers.ETag = $"\"{hash}\"";
            return Results.Bytes(body.ToArray(), "application/json");
        });
        await app.StartAsync();
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
