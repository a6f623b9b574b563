using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Orchestrator.Server.Notifications;

/// <summary>
/// The HTTP client for calls the server makes to addresses operators configured (webhooks, window hooks). Loopback
/// targets are refused at connect time unless <see cref="NotificationOptions.AllowLoopbackTargets"/>: checking the
/// resolved address, not the URL's text, also catches a name that resolves to 127.0.0.1.
/// </summary>
internal static class OutboundHttp
{
    public const string ClientName = "outbound";

    public static IServiceCollection AddOutboundHttp(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName, c =>
            {
                // Each call sets its own deadline (attempt or hook timeout).
                c.Timeout = Timeout.InfiniteTimeSpan;
                c.DefaultRequestHeaders.UserAgent.ParseAdd("Orchestrator-Notifications/1");
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<NotificationOptions>>().Value;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectCallback = (context, ct) => ConnectAsync(context, options.AllowLoopbackTargets, ct),
                };
            });
        return services;
    }

    /// <summary>True when <paramref name="host"/> names this host by its text (the registration-time check; the connect
    /// time check covers names that resolve to loopback).</summary>
    public static bool IsLoopbackName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowLoopback, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        var usable = addresses.Where(a => allowLoopback || (!IPAddress.IsLoopback(a) && !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any))).ToArray();
        if (usable.Length == 0)
        {
            throw new HttpRequestException($"{endpoint.Host} resolves to a loopback address; the server refuses loopback targets (setting Orchestrator:Notifications:AllowLoopbackTargets)");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
