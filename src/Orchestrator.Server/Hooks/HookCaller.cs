using System.Net.Mime;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Notifications;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Notifications;

namespace Orchestrator.Server.Hooks;

/// <summary>
/// Calls a window's hook with the run as JSON and records the outcome twice: as a hook call (the report's hooks
/// section) and in the audit log of the run (its timeline). The verdict of a pre-open hook is "go" only for a 2xx
/// answer whose body is a JSON object with <c>"go": true</c> within the hook's timeout; anything else is "no go".
/// </summary>
internal sealed class HookCaller(
    IHttpClientFactory http, IHookCallStore calls, IAuditLog audit, TimeProvider time, IOptions<NotificationOptions> options, ILogger<HookCaller> log)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public async Task<HookCall> CallAsync(RunRecord run, string kind, HookTarget target)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(target);
        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        int? status = null;
        string? answer = null;
        string verdict;
        using var deadline = new CancellationTokenSource(target.Timeout, time);
        try
        {
            var body = JsonSerializer.Serialize(new
            {
                hook = kind,
                runId = run.Id,
                window = run.WindowName,
                state = run.State.ToString(),
                plannedStart = run.PlannedStart,
                plannedEnd = run.PlannedEnd,
                closeReason = run.CloseReason?.ToString(),
                groups = run.Definition.Groups,
            }, Web);
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new StringContent(body, Encoding.UTF8, MediaTypeNames.Application.Json) };
            using var response = await http.CreateClient(OutboundHttp.ClientName).SendAsync(request, deadline.Token);
            status = (int)response.StatusCode;
            answer = Cut(await response.Content.ReadAsStringAsync(deadline.Token));
            verdict = kind == HookKinds.PreOpen
                ? (response.IsSuccessStatusCode && SaysGo(answer) ? HookKinds.Go : HookKinds.NoGo)
                : (response.IsSuccessStatusCode ? HookKinds.Ok : HookKinds.Failed);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            verdict = kind == HookKinds.PreOpen ? HookKinds.NoGo : HookKinds.Failed;
            answer = $"no answer within {target.Timeout.TotalSeconds:0.###} s";
        }
        catch (HttpRequestException ex)
        {
            verdict = kind == HookKinds.PreOpen ? HookKinds.NoGo : HookKinds.Failed;
            answer = Cut(ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
        }

        var call = new HookCall(run.Id, kind, target.Url, at, status, (long)time.GetElapsedTime(started).TotalMilliseconds, verdict, answer);
        await calls.RecordAsync(call);
        var label = kind == HookKinds.PreOpen ? "pre-open hook" : "post-close hook";
        await audit.AppendAsync(label, "run", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{label}: {verdict}",
            new { target.Url, status, latencyMs = call.LatencyMs, answer }, time.GetUtcNow());
        log.LogInformation("Run {RunId}: {Hook} answered {Verdict} (status {Status}, {Latency} ms)", run.Id, label, verdict, status, call.LatencyMs);
        return call;
    }

    private static bool SaysGo(string? body)
    {
        try
        {
            using var document = JsonDocument.Parse(body ?? "");
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("go", out var go) && go.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private string? Cut(string? text) =>
        text is { } t && t.Length > options.Value.MaxHookAnswerChars ? t[..options.Value.MaxHookAnswerChars] + "…" : text;
}
