using System.Diagnostics;
using System.Net;

namespace Orchestrator.Testing.Server;

/// <summary>Waits for a freshly started server to answer <c>/healthz</c>.</summary>
public static class ServerHealth
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <param name="client">A client whose base address is the server.</param>
    /// <param name="exitCode">The process's exit code once it has exited, null while it runs: a server that died is
    /// reported at once instead of after <paramref name="timeout"/>.</param>
    /// <param name="output">What the process wrote, for the failure message.</param>
    public static async Task WaitAsync(
        HttpClient client, Func<int?> exitCode, Func<string> output, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(exitCode);
        ArgumentNullException.ThrowIfNull(output);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (exitCode() is { } code)
            {
                throw new InvalidOperationException($"the server exited with {code} before it was healthy:\n{output()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        throw new TimeoutException($"the server was not healthy within {timeout.TotalSeconds:0} s:\n{output()}");
    }
}
