using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Server.Tests.Notifications;

/// <summary>One request as the receiver saw it, with whether its signature verified against the receiver's secret.</summary>
public sealed record ReceivedCall(string Path, string Body, string? Event, string? Delivery, bool SignatureValid, DateTimeOffset At);

/// <summary>
/// A real HTTP receiver (Kestrel on a free loopback port) that records every request and checks its signature the
/// way docs/notifications.md tells receivers to. <see cref="Answer"/> decides each answer; it may hang until the
/// receiver is disposed.
/// </summary>
/// <remarks>
/// Its URLs start with a path of its own (<see cref="BaseUrl"/>), and a request outside it is answered 404 and not
/// recorded: a client left pointing at a port that a stopped server freed, and that this receiver then got, cannot
/// add to <see cref="Calls"/>. <see cref="ReceivedCall.Path"/> is the path after that prefix.
/// </remarks>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _secret;

    private Receiver(WebApplication app, string secret)
    {
        _app = app;
        _secret = secret;
    }

    public ConcurrentQueue<ReceivedCall> Calls { get; } = new();

    /// <summary>Given the call and its number (1-based), the status and body to answer; default 200 "{}".</summary>
    public Func<ReceivedCall, int, CancellationToken, Task<(int Status, string Body)>> Answer { get; set; } = (_, _, _) => Task.FromResult((200, "{}"));

    public string BaseUrl { get; private set; } = "";

    public string Url(string path = "/hook") => BaseUrl + path;

    /// <summary>An answer that never comes (until the receiver is disposed).</summary>
    public static async Task<(int, string)> HangAsync(CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct);
        return (200, "{}");
    }

    public static async Task<Receiver> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app, secret);
        var prefix = new PathString("/receiver-" + Guid.NewGuid().ToString("N")[..12]);
        var count = 0;
        app.Run(async context =>
        {
            if (!context.Request.Path.StartsWithSegments(prefix, out var path))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var call = new ReceivedCall(
                path,
                body,
                context.Request.Headers["X-Orchestrator-Event"].FirstOrDefault(),
                context.Request.Headers["X-Orchestrator-Delivery"].FirstOrDefault(),
                receiver.Verify(context.Request.Headers["X-Orchestrator-Timestamp"].FirstOrDefault(), context.Request.Headers["X-Orchestrator-Signature"].FirstOrDefault(), body),
                DateTimeOffset.UtcNow);
            receiver.Calls.Enqueue(call);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, receiver._stopping.Token);
            try
            {
                var (status, answer) = await receiver.Answer(call, Interlocked.Increment(ref count), linked.Token);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(answer, linked.Token);
            }
            catch (OperationCanceledException)
            {
                // The receiver is stopping or the caller gave up.
            }
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + prefix;
        return receiver;
    }

    /// <summary>The verification docs/notifications.md shows: HMAC-SHA256 over timestamp + "." + body, compared in fixed time, and a timestamp no older than 5 minutes.</summary>
    private bool Verify(string? timestamp, string? signature, string body)
    {
        if (timestamp is null || signature is null || !long.TryParse(timestamp, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }

        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(_secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
