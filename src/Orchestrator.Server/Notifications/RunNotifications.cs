using Orchestrator.Data.Notifications;

namespace Orchestrator.Server.Notifications;

/// <summary>The report's "Hooks and notifications" section: what the window's hooks answered for the run and every
/// webhook delivery attempt made for its events.</summary>
public sealed record RunNotifications(IReadOnlyList<HookCallResponse> Hooks, IReadOnlyList<DeliveryResponse> Deliveries)
{
    internal static async Task<RunNotifications> ForRunAsync(IServiceProvider services, long runId, CancellationToken ct)
    {
        var hooks = services.GetRequiredService<IHookCallStore>();
        var webhooks = services.GetRequiredService<IWebhookStore>();
        return new(
            (await hooks.ListForRunAsync(runId, ct)).Select(HookCallResponse.From).ToList(),
            (await webhooks.ListAttemptsForRunAsync(runId, ct)).Select(WebhooksApi.ToResponse).ToList());
    }
}

/// <param name="Kind">preOpen or postClose.</param>
/// <param name="Verdict">preOpen: go or noGo; postClose: ok or failed.</param>
/// <param name="Answer">The hook's body (cut at MaxHookAnswerChars), or why there was none.</param>
public sealed record HookCallResponse(string Kind, string Url, DateTimeOffset At, int? StatusCode, long LatencyMs, string Verdict, string? Answer)
{
    internal static HookCallResponse From(HookCall c) => new(c.Kind, c.Url, c.At, c.StatusCode, c.LatencyMs, c.Verdict, c.Answer);
}
