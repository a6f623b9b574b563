using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Orchestrator.EndToEnd.Tests.Api;

/// <summary>The ops REST API (/api/v1) as an operator's script would call it. Every failure carries the server's answer.</summary>
public sealed class OpsClient(HttpClient http) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public HttpClient Http => http;

    public Task<EnrollmentToken> CreateEnrollmentTokenAsync(string name, CancellationToken cancellationToken) =>
        PostAsync<EnrollmentToken>("/api/v1/enrollment-tokens", new { name, expiresIn = "PT1H", singleUse = false }, cancellationToken);

    public Task<AgentInfo[]> ListAgentsAsync(CancellationToken cancellationToken) =>
        GetAsync<AgentInfo[]>("/api/v1/agents", cancellationToken);

    public Task<JsonElement> CreateGroupAsync(string name, IReadOnlyList<string> staticMembers, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>("/api/v1/groups", new { name, staticMembers }, cancellationToken);

    /// <summary>A one-off window (<c>at</c>) in Etc/UTC, without scans.</summary>
    public Task<WindowInfo> CreateOneOffWindowAsync(
        string name, DateTimeOffset start, TimeSpan duration, IReadOnlyList<string> groups, CancellationToken cancellationToken) =>
        PostAsync<WindowInfo>("/api/v1/windows", new
        {
            name,
            at = start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            timeZone = "Etc/UTC",
            duration = IsoSeconds(duration),
            groups,
            scan = new { enabled = false },
        }, cancellationToken);

    /// <summary>Starts a run of the window now, outside its schedule.</summary>
    public Task<RunInfo> StartRunAsync(long windowId, TimeSpan duration, CancellationToken cancellationToken) =>
        PostAsync<RunInfo>($"/api/v1/windows/{windowId}/runs", new { duration = IsoSeconds(duration) }, cancellationToken);

    public Task<RunInfo[]> ListRunsAsync(long windowId, CancellationToken cancellationToken) =>
        GetAsync<RunInfo[]>($"/api/v1/runs?windowId={windowId}", cancellationToken);

    public Task<RunDetail> GetRunAsync(long runId, CancellationToken cancellationToken) =>
        GetAsync<RunDetail>($"/api/v1/runs/{runId}", cancellationToken);

    public Task<RunTraffic> GetTrafficAsync(long runId, CancellationToken cancellationToken) =>
        GetAsync<RunTraffic>($"/api/v1/runs/{runId}/traffic", cancellationToken);

    /// <summary>The run's report (computed now), of which these tests read the endpoint rows.</summary>
    public Task<RunReportInfo> GetRunReportAsync(long runId, CancellationToken cancellationToken) =>
        GetAsync<RunReportInfo>($"/api/v1/runs/{runId}/report", cancellationToken);

    public void Dispose() => http.Dispose();

    private static string IsoSeconds(TimeSpan duration) =>
        string.Create(CultureInfo.InvariantCulture, $"PT{(int)duration.TotalSeconds}S");

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return await ReadAsync<T>(response, "GET " + path, cancellationToken);
    }

    private async Task<T> PostAsync<T>(string path, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, Json, cancellationToken);
        return await ReadAsync<T>(response, "POST " + path, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{what} answered {(int)response.StatusCode} {response.StatusCode}: {text}", null, response.StatusCode);
        }

        return JsonSerializer.Deserialize<T>(text, Json)
            ?? throw new InvalidDataException($"{what} answered an empty body");
    }
}
