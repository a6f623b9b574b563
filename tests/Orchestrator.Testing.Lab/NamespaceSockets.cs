using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Orchestrator.Testing.Lab;

/// <summary>
/// TCP sockets that live in a lab namespace but belong to this process. A socket belongs to the network namespace
/// of the thread that creates it, so a short-lived thread enters the namespace (<c>setns</c>), creates the socket
/// and ends; the socket is then used like any other. Cheaper and more exact than starting a process per connect,
/// which is what probes retrying every few milliseconds need.
/// </summary>
public static partial class NamespaceSockets
{
    private const int CloneNewNet = 0x40000000;
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    /// <summary>A new, unconnected TCP socket inside <paramref name="networkNamespace"/> (a name from <c>ip netns list</c>).</summary>
    public static Task<Socket> CreateTcpAsync(string networkNamespace, AddressFamily family = AddressFamily.InterNetwork)
    {
        TaskCompletionSource<Socket> created = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                EnterNetworkNamespace(networkNamespace);
                created.SetResult(new Socket(family, SocketType.Stream, ProtocolType.Tcp));
            }
            catch (Exception ex)
            {
                created.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + networkNamespace,
        };
        thread.Start();
        return created.Task;
    }

    /// <summary>A TCP connection from inside <paramref name="networkNamespace"/> to <paramref name="target"/>.</summary>
    public static async Task<Socket> ConnectAsync(string networkNamespace, IPEndPoint target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var socket = await CreateTcpAsync(networkNamespace, target.AddressFamily);
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An HTTP client whose connections start inside <paramref name="networkNamespace"/>: the test process talks
    /// to a server in the lab without any route from the root namespace into it.</summary>
    public static HttpClient CreateHttpClient(string networkNamespace, Uri baseAddress, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var address = IPAddress.Parse(context.DnsEndPoint.Host);
                var socket = await ConnectAsync(networkNamespace, new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress, Timeout = timeout };
    }

    private static void EnterNetworkNamespace(string networkNamespace)
    {
        var path = "/var/run/netns/" + networkNamespace;
        var fd = Open(path, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"Cannot open {path} (errno {Marshal.GetLastPInvokeError()}); does the namespace exist?");
        }

        try
        {
            if (SetNs(fd, CloneNewNet) != 0)
            {
                throw new IOException($"setns into {networkNamespace} failed (errno {Marshal.GetLastPInvokeError()}); it needs root.");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int namespaceType);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
