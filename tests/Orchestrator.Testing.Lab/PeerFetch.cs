using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Testing.Lab;

/// <summary>
/// One fetch from a peer content server (<c>peer-tool serve</c>), made from this process with a socket inside a lab
/// host (<see cref="NamespaceSockets"/>): connect, read until the server closes, count the bytes. The instants are
/// wall-clock, comparable with the server's timestamps (same machine, same clock).
/// </summary>
/// <param name="Outcome">completed | refused | timeout (connect) | stalled (no data for the idle timeout, or reset).</param>
public sealed record PeerFetch(string Outcome, long Bytes, DateTimeOffset StartedAt, DateTimeOffset? ConnectedAt, DateTimeOffset EndedAt)
{
    public bool Connected => ConnectedAt is not null;

    public static async Task<PeerFetch> RunAsync(
        NetworkLab lab, string from, IPAddress server, TimeSpan connectTimeout, TimeSpan idleTimeout, int port = PeerContent.Port)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var clock = TimeProvider.System;
        var started = clock.GetUtcNow();
        var socket = await NamespaceSockets.CreateTcpAsync(lab[from].Namespace, server.AddressFamily);
        using (socket)
        {
            try
            {
                using var connect = new CancellationTokenSource(connectTimeout);
                await socket.ConnectAsync(new IPEndPoint(server, port), connect.Token);
            }
            catch (OperationCanceledException)
            {
                return new PeerFetch("timeout", 0, started, null, clock.GetUtcNow());
            }
            catch (SocketException)
            {
                return new PeerFetch("refused", 0, started, null, clock.GetUtcNow());
            }

            var connected = clock.GetUtcNow();
            var buffer = new byte[256 * 1024];
            long received = 0;
            while (true)
            {
                int n;
                try
                {
                    using var idle = new CancellationTokenSource(idleTimeout);
                    n = await socket.ReceiveAsync(buffer, SocketFlags.None, idle.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException)
                {
                    return new PeerFetch("stalled", received, started, connected, clock.GetUtcNow());
                }

                if (n == 0)
                {
                    return new PeerFetch("completed", received, started, connected, clock.GetUtcNow());
                }

                received += n;
            }
        }
    }
}
