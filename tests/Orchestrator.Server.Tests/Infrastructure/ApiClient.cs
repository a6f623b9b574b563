using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Server.Tests.Infrastructure;

/// <summary>Small JSON helpers over HttpClient so that tests read as what they send and expect.</summary>
public static class ApiClient
{
    private const int LargeBody = 64 * 1024;

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");

            // A large body waits for the server's go-ahead, as curl does: a server refusing it (413) answers before the
            // body is sent, instead of closing the connection under a client still writing (a broken pipe, not a status).
            request.Headers.ExpectContinue = json.Length > LargeBody;
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text));
    }

    public static Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(this HttpClient client, string path, object body) =>
        client.SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body, JsonSerializerOptions.Web));

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string path)
    {
        var (status, body) = await client.SendAsync(HttpMethod.Get, path);
        Assert.True(status == HttpStatusCode.OK, $"GET {path} answered {(int)status}: {body}");
        return body!;
    }

    public static async Task<JsonNode> CreateAsync(this HttpClient client, string path, object body)
    {
        var (status, json) = await client.PostAsync(path, body);
        Assert.True(status is HttpStatusCode.Created or HttpStatusCode.OK, $"POST {path} answered {(int)status}: {json}");
        return json!;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the timeout passes; returns the last value.</summary>
    public static Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, string what) =>
        EventuallyAsync(read, condition, timeout, () => what);

    /// <summary>As above, with the failure's description taken when the timeout passes (what the server logged by then).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value;
        do
        {
            value = await read();
            if (condition(value))
            {
                return value;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"{what()} did not happen within {timeout.TotalSeconds:0.#} s; last value: {value}");
        return value;
    }

    public static Task<JsonContent> AsJson(object body) => Task.FromResult(JsonContent.Create(body));
}
