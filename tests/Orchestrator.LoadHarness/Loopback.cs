using System.Net;
using System.Net.Sockets;

namespace Orchestrator.LoadHarness;

/// <summary>
/// The one HTTP handler every virtual agent shares. Each connection binds its own loopback source address
/// (127.0.0.2, 127.0.0.3, …) in turn: one source address has only the ephemeral port range (often ~28k ports) toward
/// one server port, and enrollment is rate-limited per client address.
/// </summary>
internal static class Loopback
{
    public static SocketsHttpHandler Handler(int sourceAddresses)
    {
        var next = 0;
        return new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            // Below the server's keep-alive timeout (Kestrel's default, 130 s): a connection the harness left idle longer
            // (the admin calls around a long --hold-connected-seconds) could be handed out just as the server closes it.
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            UseCookies = false,
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var source = new IPAddress([127, 0, 0, (byte)(2 + ((uint)Interlocked.Increment(ref next) % (uint)sourceAddresses))]);
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }
}
