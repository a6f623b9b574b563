using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Testing.Server;

/// <summary>
/// A loopback port where nothing listens: one below the kernel's ephemeral range (<c>net.ipv4.ip_local_port_range</c>),
/// which every port-0 listener and every outgoing connection takes its port from, that refused a connection when it was
/// picked. A port merely found free inside that range can be taken a moment later by a server or receiver that a test
/// running alongside starts on port 0. Used as an address that must refuse connections, and as the port of a server
/// that cannot listen on port 0 (the throwaway PostgreSQL cluster).
/// </summary>
public static class RefusedPort
{
    private const string PortRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>A port on 127.0.0.1 that refuses connections.</summary>
    public static int Pick()
    {
        var ephemeralStart = EphemeralStart();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(ephemeralStart / 2, ephemeralStart);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Connect(IPAddress.Loopback, port);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return port;
            }
        }

        throw new InvalidOperationException($"every port tried below {ephemeralStart} on 127.0.0.1 accepted a connection");
    }

    /// <summary>http://127.0.0.1:<see cref="Pick"/>.</summary>
    public static Uri Url() => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Pick()}"));

    /// <summary>The first ephemeral port; Linux's default (32768) where the file cannot be read.</summary>
    private static int EphemeralStart()
    {
        try
        {
            var first = File.ReadAllText(PortRangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, CultureInfo.InvariantCulture) is var start and > 2048 ? start : 32768;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
