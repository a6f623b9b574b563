using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.LoadHarness;

/// <summary>The ops REST API calls the harness needs, with the bootstrap admin key.</summary>
internal sealed class Admin(HttpClient http, string key)
{
    public async Task<JsonNode> PostAsync(string path, object body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Fleet.Json) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }

    public async Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!;
    }

    /// <summary>
    /// <paramref name="groups"/> groups by tag (<c>load-0000</c> …), one yearly window per group (opened ad hoc by the
    /// harness) and one enrollment token per group granting only that group's tag.
    /// </summary>
    public async Task<(long[] WindowIds, string[] Tokens)> CreateGroupsAsync(int groups, CancellationToken cancellationToken)
    {
        var windowIds = new long[groups];
        var tokens = new string[groups];
        await Parallel.ForAsync(0, groups, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (g, c) =>
        {
            var name = GroupName(g);
            tokens[g] = (await PostAsync("/api/v1/enrollment-tokens", new { name, expiresIn = "PT2H", tags = new[] { name } }, c))["token"]!.GetValue<string>();
            await PostAsync("/api/v1/groups", new { name, tags = new[] { name } }, c);
            windowIds[g] = await CreateWindowAsync(name, c);
        });
        return (windowIds, tokens);
    }

    /// <summary>A group of the endpoints in <paramref name="network"/> and a window for it; answers the window's id.</summary>
    public async Task<long> CreateNetworkWindowAsync(string name, IPNetwork network, CancellationToken cancellationToken)
    {
        await PostAsync("/api/v1/groups", new { name, cidrs = new[] { network.ToString() } }, cancellationToken);
        return await CreateWindowAsync(name, cancellationToken);
    }

    // A yearly window (03:00 UTC on 1 January) for the group of the same name; the harness opens its runs ad hoc.
    private async Task<long> CreateWindowAsync(string name, CancellationToken cancellationToken) =>
        (await PostAsync("/api/v1/windows", new
        {
            name,
            cron = "0 0 3 1 1 ?",
            timeZone = "Etc/UTC",
            duration = "PT1H",
            groups = new[] { name },
            scan = new { enabled = false },
        }, cancellationToken))["id"]!.GetValue<long>();

    /// <summary>One ad-hoc run of <paramref name="seconds"/> per window, started together; answers the runs' ids.</summary>
    public async Task<long[]> StartRunsAsync(long[] windowIds, int seconds, CancellationToken cancellationToken)
    {
        var runIds = new long[windowIds.Length];
        await Parallel.ForAsync(0, windowIds.Length, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (g, c) =>
            runIds[g] = (await PostAsync(string.Create(CultureInfo.InvariantCulture, $"/api/v1/windows/{windowIds[g]}/runs"), new { duration = string.Create(CultureInfo.InvariantCulture, $"PT{seconds}S") }, c))["id"]!.GetValue<long>());
        return runIds;
    }

    /// <summary>Group <paramref name="g"/>'s name, also its tag and its window's name.</summary>
    public static string GroupName(int g) => string.Create(CultureInfo.InvariantCulture, $"load-{g:D4}");

    /// <summary>
    /// Polls the window's run list (<c>GET /runs?windowId=</c>, one row per run, no members) until the run's
    /// <paramref name="field"/> (openedAt, closedAt) is set; answers the run. Not <c>GET /runs/{id}</c>: that page
    /// lists every member and their agents, and reading it every 50 ms during a 10,000-member opening took 5 % of the
    /// server's CPU from the very burst being measured.
    /// </summary>
    public async Task<JsonNode> WaitForRunAsync(long windowId, long runId, string field, CancellationToken cancellationToken, long notBeforeMs = 0)
    {
        // A close cannot come before the planned end: polling 100 runs' lists for the whole window would load both the
        // server and the database during the very window being measured.
        var untilEarliest = notBeforeMs - TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        if (untilEarliest > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(untilEarliest), cancellationToken);
        }

        while (true)
        {
            var runs = (await GetAsync(string.Create(CultureInfo.InvariantCulture, $"/api/v1/runs?windowId={windowId}&limit=1000"), cancellationToken)).AsArray();
            var run = runs.FirstOrDefault(r => r!["id"]!.GetValue<long>() == runId)
                ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"run {runId} is not among window {windowId}'s runs"));
            if (run[field] is { } value && value.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                return run;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>A time field of a run (<see cref="WaitForRunAsync"/>) in Unix ms.</summary>
    public static long TimeOf(JsonNode run, string field) =>
        DateTimeOffset.Parse(run[field]!.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
}
