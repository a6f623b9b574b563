using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

// peer-tool serve --port 7680 --bytes N [--chunk B --interval-ms M]
//   Serves N bytes to every connection (paced when --interval-ms > 0); prints "listening" once bound.
// peer-tool fetch --host A --port 7680 [--connect-timeout-ms 1000] [--idle-timeout-ms 2000]
//   Prints one line "<outcome> <bytes> <elapsed-ms>"; outcome: completed | refused | timeout | stalled.
var options = ParseOptions(args.Skip(1).ToArray());
return args.FirstOrDefault() switch
{
    "serve" => await ServeAsync(options),
    "fetch" => await FetchAsync(options),
    _ => Usage(),
};

static async Task<int> ServeAsync(Dictionary<string, string> options)
{
    var port = int.Parse(options.GetValueOrDefault("port", "7680"), CultureInfo.InvariantCulture);
    var total = long.Parse(options["bytes"], CultureInfo.InvariantCulture);
    var chunk = int.Parse(options.GetValueOrDefault("chunk", "65536"), CultureInfo.InvariantCulture);
    var interval = int.Parse(options.GetValueOrDefault("interval-ms", "0"), CultureInfo.InvariantCulture);
    using var listener = new TcpListener(IPAddress.IPv6Any, port);
    listener.Server.DualMode = true;
    listener.Start();
    Console.WriteLine("listening");
    while (true)
    {
        var client = await listener.AcceptTcpClientAsync();
        _ = Task.Run(async () =>
        {
            using (client)
            {
                var buffer = new byte[chunk];
                Array.Fill(buffer, (byte)'x');
                try
                {
                    var stream = client.GetStream();
                    for (long sent = 0; sent < total;)
                    {
                        var n = (int)Math.Min(chunk, total - sent);
                        await stream.WriteAsync(buffer.AsMemory(0, n));
                        sent += n;
                        if (interval > 0)
                        {
                            await Task.Delay(interval);
                        }
                    }
                }
                catch (IOException)
                {
                    // The client went away or the path was cut; nothing to serve any more.
                }
            }
        });
    }
}

static async Task<int> FetchAsync(Dictionary<string, string> options)
{
    var host = IPAddress.Parse(options["host"]);
    var port = int.Parse(options.GetValueOrDefault("port", "7680"), CultureInfo.InvariantCulture);
    var connectTimeout = int.Parse(options.GetValueOrDefault("connect-timeout-ms", "1000"), CultureInfo.InvariantCulture);
    var idleTimeout = int.Parse(options.GetValueOrDefault("idle-timeout-ms", "2000"), CultureInfo.InvariantCulture);
    var clock = Stopwatch.StartNew();
    long received = 0;
    using var client = new TcpClient(host.AddressFamily);
    try
    {
        using var connect = new CancellationTokenSource(connectTimeout);
        await client.ConnectAsync(host, port, connect.Token);
    }
    catch (OperationCanceledException)
    {
        return Print("timeout", 0, clock);
    }
    catch (SocketException)
    {
        return Print("refused", 0, clock);
    }

    var stream = client.GetStream();
    var buffer = new byte[65536];
    while (true)
    {
        using var idle = new CancellationTokenSource(idleTimeout);
        int n;
        try
        {
            n = await stream.ReadAsync(buffer, idle.Token);
        }
        catch (OperationCanceledException)
        {
            return Print("stalled", received, clock);
        }
        catch (IOException)
        {
            return Print("stalled", received, clock);
        }

        if (n == 0)
        {
            return Print("completed", received, clock);
        }

        received += n;
    }
}

static int Print(string outcome, long bytes, Stopwatch clock)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outcome} {bytes} {clock.ElapsedMilliseconds}"));
    return 0;
}

static Dictionary<string, string> ParseOptions(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        options[args[i].TrimStart('-')] = args[i + 1];
    }

    return options;
}

static int Usage()
{
    Console.Error.WriteLine("usage: peer-tool serve --port P --bytes N [--chunk B --interval-ms M] | fetch --host A --port P [--connect-timeout-ms T] [--idle-timeout-ms T]");
    return 64;
}
