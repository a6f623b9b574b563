using System.Globalization;
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

    /// <summary>Polls GET /runs/{id} until <paramref name="field"/> (openedAt, closedAt) is set; answers it in Unix ms.</summary>
    public async Task<long> WaitForRunTimeAsync(long runId, string field, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = (await GetAsync(string.Create(CultureInfo.InvariantCulture, $"/api/v1/runs/{runId}"), cancellationToken))["run"]!;
            if (run[field] is { } value && value.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                return DateTimeOffset.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
