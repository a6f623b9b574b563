using System.Globalization;
using System.Net;

namespace Orchestrator.Testing.Lab;

/// <summary>The peer content server and fetch client (<c>peer-tool</c>, next to the test assembly) run inside lab hosts.</summary>
public static class PeerContent
{
    public const int Port = 7680;

    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "peer-tool.dll");

    /// <summary>Starts a server on <paramref name="host"/> that sends <paramref name="bytes"/> to each connection,
    /// one <paramref name="chunk"/> every <paramref name="intervalMs"/> ms (0 = as fast as possible).</summary>
    public static async Task<LabProcess> StartServerAsync(
        NetworkLab lab, string host, long bytes, int port = Port, int chunk = 65536, int intervalMs = 0)
    {
        var server = lab.StartProcess(host, Commands.DotnetHost, ToolPath, "serve",
            "--port", Text(port), "--bytes", Text(bytes), "--chunk", Text(chunk), "--interval-ms", Text(intervalMs));
        await server.WaitForLineAsync(l => l.Contains("listening", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        return server;
    }

    /// <summary>Connects from <paramref name="host"/> to <paramref name="server"/> and reads until the server closes,
    /// the connection stalls for <paramref name="idleTimeoutMs"/>, or the connect times out.</summary>
    public static async Task<FetchResult> FetchAsync(
        NetworkLab lab, string host, IPAddress server, int port = Port, int connectTimeoutMs = 1000, int idleTimeoutMs = 2000)
    {
        var result = await lab.ExecAsync(host, Commands.DotnetHost, ToolPath, "fetch", "--host", server.ToString(), "--port", Text(port),
            "--connect-timeout-ms", Text(connectTimeoutMs), "--idle-timeout-ms", Text(idleTimeoutMs));
        var parts = result.EnsureSuccess("peer-tool fetch").StandardOutput.Trim().Split(' ');
        return new FetchResult(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(long.Parse(parts[2], CultureInfo.InvariantCulture)));
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Outcome: completed | refused | timeout (connect) | stalled (no data for the idle timeout).</summary>
public sealed record FetchResult(string Outcome, long Bytes, TimeSpan Elapsed)
{
    public bool Connected => Outcome is "completed" or "stalled";
}
