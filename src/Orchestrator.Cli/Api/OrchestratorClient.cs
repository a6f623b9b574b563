using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Cli.Settings;
using Orchestrator.Cli.Shell;

namespace Orchestrator.Cli.Api;

/// <summary>The ops REST API (/api/v1) as typed calls. Errors become <see cref="ApiException"/> (the server said no) or
/// <see cref="ConnectionException"/> (no answer), never a raw HttpRequestException.</summary>
internal sealed class OrchestratorClient : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly CliSettings _settings;

    public OrchestratorClient(CliSettings settings)
    {
        _settings = settings;
        _http = new HttpClient { BaseAddress = settings.Server, Timeout = Timeout };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("orchestrator-cli", typeof(OrchestratorClient).Assembly.GetName().Version?.ToString(3)));
        if (settings.ApiKey is { } key)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    public Uri Server => _settings.Server;

    public Task<IReadOnlyList<EndpointDto>> ListEndpointsAsync(CancellationToken ct) => GetAsync<IReadOnlyList<EndpointDto>>("api/v1/endpoints", ct);

    public Task<ImportResultDto> ImportEndpointsAsync(IReadOnlyList<EndpointBody> endpoints, CancellationToken ct) =>
        SendAsync<ImportResultDto>(HttpMethod.Post, "api/v1/endpoints/import", endpoints, ct);

    public Task<EndpointDto> MarkReEnrollableAsync(long id, string? expiresIn, CancellationToken ct) =>
        SendAsync<EndpointDto>(HttpMethod.Post, $"api/v1/endpoints/{id}/re-enrollable", new ReEnrollableBody(expiresIn), ct);

    public Task WithdrawReEnrollableAsync(long id, CancellationToken ct) => SendAsync<object>(HttpMethod.Delete, $"api/v1/endpoints/{id}/re-enrollable", null, ct);

    public Task DeleteEndpointAsync(long id, CancellationToken ct) => SendAsync<object>(HttpMethod.Delete, $"api/v1/endpoints/{id}", null, ct);

    public Task<IReadOnlyList<GroupDto>> ListGroupsAsync(CancellationToken ct) => GetAsync<IReadOnlyList<GroupDto>>("api/v1/groups", ct);

    public Task<GroupDto> CreateGroupAsync(GroupBody group, CancellationToken ct) => SendAsync<GroupDto>(HttpMethod.Post, "api/v1/groups", group, ct);

    public Task<GroupDto> UpdateGroupAsync(long id, GroupBody group, CancellationToken ct) => SendAsync<GroupDto>(HttpMethod.Put, $"api/v1/groups/{id}", group, ct);

    public Task DeleteGroupAsync(long id, CancellationToken ct) => SendAsync<object>(HttpMethod.Delete, $"api/v1/groups/{id}", null, ct);

    public Task<IReadOnlyList<WindowDto>> ListWindowsAsync(CancellationToken ct) => GetAsync<IReadOnlyList<WindowDto>>("api/v1/windows", ct);

    public Task<WindowDto> CreateWindowAsync(WindowBody window, CancellationToken ct) => SendAsync<WindowDto>(HttpMethod.Post, "api/v1/windows", window, ct);

    public Task<WindowDto> UpdateWindowAsync(long id, WindowBody window, CancellationToken ct) => SendAsync<WindowDto>(HttpMethod.Put, $"api/v1/windows/{id}", window, ct);

    /// <param name="closeRuns">Close the window's open runs first; the server refuses (409) to delete a window with open runs otherwise.</param>
    public Task DeleteWindowAsync(long id, bool closeRuns, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Delete, closeRuns ? $"api/v1/windows/{id}?closeRuns=true" : $"api/v1/windows/{id}", null, ct);

    public Task<IReadOnlyList<OccurrenceDto>> OccurrencesAsync(long windowId, DateTimeOffset? from, int count, CancellationToken ct)
    {
        var query = $"count={count}" + (from is { } f ? "&from=" + Uri.EscapeDataString(f.ToString("o", CultureInfo.InvariantCulture)) : "");
        return GetAsync<IReadOnlyList<OccurrenceDto>>($"api/v1/windows/{windowId}/occurrences?{query}", ct);
    }

    public Task<RunDto> StartRunAsync(long windowId, string duration, string? cutoff, CancellationToken ct) =>
        SendAsync<RunDto>(HttpMethod.Post, $"api/v1/windows/{windowId}/runs", new AdHocRunBody(duration, cutoff), ct);

    public Task<IReadOnlyList<RunDto>> ListRunsAsync(long? windowId, string? state, int limit, CancellationToken ct)
    {
        var query = $"limit={limit}" + (windowId is { } w ? $"&windowId={w}" : "") + (state is { } s ? "&state=" + Uri.EscapeDataString(s) : "");
        return GetAsync<IReadOnlyList<RunDto>>($"api/v1/runs?{query}", ct);
    }

    public Task<RunDetailDto> GetRunAsync(long id, CancellationToken ct) => GetAsync<RunDetailDto>($"api/v1/runs/{id}", ct);

    /// <summary>The server's own report (anomalies, scans, transfers) as it writes it: JSON, Markdown or the endpoint CSV.</summary>
    public Task<string> GetRunReportTextAsync(long id, string format, CancellationToken ct) =>
        SendTextAsync(HttpMethod.Get, $"api/v1/runs/{id}/report?format={Uri.EscapeDataString(format)}", ct);

    /// <summary>Every (server, peer) transfer pair of the run, largest first, as CSV.</summary>
    public Task<string> GetRunTransfersCsvAsync(long id, CancellationToken ct) => SendTextAsync(HttpMethod.Get, $"api/v1/runs/{id}/report/transfers.csv", ct);

    /// <summary>The parts of the server's report that <c>runs show</c> prints (one transfer: the rest is not shown).</summary>
    public Task<RunReportDto> GetRunReportAsync(long id, CancellationToken ct) => GetAsync<RunReportDto>($"api/v1/runs/{id}/report?transfersLimit=1", ct);

    public Task<RunDto> CloseRunAsync(long id, CancellationToken ct) => SendAsync<RunDto>(HttpMethod.Post, $"api/v1/runs/{id}/close", null, ct);

    public Task<IReadOnlyList<AgentDto>> ListAgentsAsync(CancellationToken ct) => GetAsync<IReadOnlyList<AgentDto>>("api/v1/agents", ct);

    public Task<IReadOnlyList<ApiKeyDto>> ListKeysAsync(CancellationToken ct) => GetAsync<IReadOnlyList<ApiKeyDto>>("api/v1/keys", ct);

    public Task<ApiKeyDto> CreateKeyAsync(ApiKeyBody key, CancellationToken ct) => SendAsync<ApiKeyDto>(HttpMethod.Post, "api/v1/keys", key, ct);

    public Task RevokeKeyAsync(long id, CancellationToken ct) => SendAsync<object>(HttpMethod.Delete, $"api/v1/keys/{id}", null, ct);

    public Task<IReadOnlyList<EnrollmentTokenDto>> ListTokensAsync(CancellationToken ct) => GetAsync<IReadOnlyList<EnrollmentTokenDto>>("api/v1/enrollment-tokens", ct);

    public Task<EnrollmentTokenDto> CreateTokenAsync(EnrollmentTokenBody token, CancellationToken ct) =>
        SendAsync<EnrollmentTokenDto>(HttpMethod.Post, "api/v1/enrollment-tokens", token, ct);

    public Task RevokeTokenAsync(long id, CancellationToken ct) => SendAsync<object>(HttpMethod.Delete, $"api/v1/enrollment-tokens/{id}", null, ct);

    public Task<IReadOnlyList<WebhookDto>> ListWebhooksAsync(CancellationToken ct) => GetAsync<IReadOnlyList<WebhookDto>>("api/v1/webhooks", ct);

    public Task<WebhookDto> CreateWebhookAsync(WebhookBody webhook, CancellationToken ct) => SendAsync<WebhookDto>(HttpMethod.Post, "api/v1/webhooks", webhook, ct);

    public Task<WebhookDto> UpdateWebhookAsync(long id, WebhookBody webhook, CancellationToken ct) => SendAsync<WebhookDto>(HttpMethod.Put, $"api/v1/webhooks/{id}", webhook, ct);

    public Task DeleteWebhookAsync(long id, CancellationToken ct) => SendAsync<object>(HttpMethod.Delete, $"api/v1/webhooks/{id}", null, ct);

    public Task<TestDeliveryDto> TestWebhookAsync(long id, CancellationToken ct) => SendAsync<TestDeliveryDto>(HttpMethod.Post, $"api/v1/webhooks/{id}/test", null, ct);

    public Task<IReadOnlyList<DeliveryDto>> ListDeliveriesAsync(long id, int limit, CancellationToken ct) =>
        GetAsync<IReadOnlyList<DeliveryDto>>(string.Create(CultureInfo.InvariantCulture, $"api/v1/webhooks/{id}/deliveries?limit={limit}"), ct);

    public void Dispose() => _http.Dispose();

    private Task<T> GetAsync<T>(string path, CancellationToken ct) => SendAsync<T>(HttpMethod.Get, path, null, ct);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        var what = $"{method} /{path.Split('?')[0]}";
        var (status, text) = await SendCoreAsync(method, path, body, ct);
        if (typeof(T) == typeof(object) || status == HttpStatusCode.NoContent)
        {
            return default!;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, ApiJson.Options) ?? throw new JsonException("empty body");
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.ServerError, $"the answer to {what} is not what this CLI understands ({e.Message}); is {Server} an orchestrator server of a matching version?", e);
        }
    }

    private async Task<string> SendTextAsync(HttpMethod method, string path, CancellationToken ct) => (await SendCoreAsync(method, path, null, ct)).Text;

    private async Task<(HttpStatusCode Status, string Text)> SendCoreAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options);
        }

        var what = $"{method} /{path.Split('?')[0]}";
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ConnectionException($"cannot reach the server at {Server} (from {_settings.ServerSource}): {e.Message}{Hint()}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ConnectionException($"the server at {Server} did not answer {what} within {Timeout.TotalSeconds:0} s", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException(what, response.StatusCode, TryReadProblem(text), text);
            }

            return (response.StatusCode, text);
        }
    }

    private string Hint() => _settings.ServerSource == "default"
        ? $"\n  no server was configured; set --server, {CliEnvironment.Server} or server: in ~/.config/orchestrator/cli.yaml"
        : "";

    private static ProblemDto? TryReadProblem(string text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<ProblemDto>(text, ApiJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
