using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Notifications;

namespace Orchestrator.Server.Tests.Hooks;

public sealed class WindowHookTests
{
    [Fact]
    public async Task APreOpenHookThatAnswersGoOpensTheRunAndThePostCloseHookIsToldAfterTheClose()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        receiver.Answer = (call, _, _) => Task.FromResult(call.Path == "/pre" ? (200, """{"go": true}""") : (204, ""));
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await HookedWindow.CreateAsync(client, receiver.Url("/pre"), receiver.Url("/post"));

        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;

        await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Closed", TimeSpan.FromSeconds(30), "closed");
        var report = await ApiClient.EventuallyAsync(
            () => client.GetJsonAsync($"/api/v1/runs/{runId}/report"), r => r["notifications"]!["hooks"]!.AsArray().Count == 2 && r["timeline"]!.AsArray().Any(e => (string?)e!["event"] == "post-close hook: ok"),
            TimeSpan.FromSeconds(20), "both hook calls");
        var hooks = report["notifications"]!["hooks"]!.AsArray();
        Assert.Equal(["preOpen:go", "postClose:ok"], hooks.Select(h => $"{h!["kind"]}:{h["verdict"]}"));
        Assert.Equal(204, (int)hooks[1]!["statusCode"]!);
        var timeline = report["timeline"]!.AsArray().Select(e => (string?)e!["event"]).ToList();
        Assert.True(timeline.IndexOf("pre-open hook: go") < timeline.IndexOf("post-close hook: ok"), string.Join(" | ", timeline));
        var pre = JsonNode.Parse(receiver.Calls.Single(c => c.Path == "/pre").Body)!;
        Assert.Equal(runId, (long)pre["runId"]!);
        Assert.Equal("preOpen", (string?)pre["hook"]);
        Assert.Equal("PT3S", (string?)(await client.GetJsonAsync($"/api/v1/windows/{windowId}"))["hooks"]!["preOpen"]!["timeout"]);
    }

    [Fact]
    public async Task APreOpenHookThatSaysNoGoLeavesTheRunUnopenedWithItsAnswerRecordedAndAlerted()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        receiver.Answer = (call, _, _) => Task.FromResult(call.Path == "/pre" ? (200, """{"go": false, "reason": "change freeze"}""") : (200, "{}"));
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        await Webhooks.RegisterAsync(client, receiver.Url("/alerts"), ["run.notOpenedOnTime", "run.opened"]);
        var windowId = await HookedWindow.CreateAsync(client, receiver.Url("/pre"));

        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT1M" }))["id"]!;

        var run = await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Cancelled", TimeSpan.FromSeconds(20), "not opened");
        Assert.Null(run["openedAt"]);
        Assert.Empty((await client.GetJsonAsync($"/api/v1/runs/{runId}"))["members"]!.AsArray());
        var alert = await ApiClient.EventuallyAsync(() => Task.FromResult(receiver.Calls.FirstOrDefault(c => c.Path == "/alerts")), c => c is not null, TimeSpan.FromSeconds(20), "the alert");
        Assert.Equal("run.notOpenedOnTime", alert!.Event);
        var details = JsonNode.Parse(alert.Body)!["details"]!;
        Assert.Equal("preOpenHook", (string?)details["reason"]);
        Assert.Equal("noGo", (string?)details["verdict"]);
        Assert.Contains("change freeze", (string?)details["answer"], StringComparison.Ordinal);
        var report = await client.GetJsonAsync($"/api/v1/runs/{runId}/report");
        var hook = Assert.Single(report["notifications"]!["hooks"]!.AsArray())!;
        Assert.Equal("noGo", (string?)hook["verdict"]);
        Assert.Contains("change freeze", (string?)hook["answer"], StringComparison.Ordinal);
        Assert.Contains(report["timeline"]!.AsArray(), e => (string?)e!["event"] == "pre-open hook: noGo");
        using var page = await client.GetAsync($"/reports/runs/{runId}", TestContext.Current.CancellationToken);
        Assert.Contains("change freeze", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APreOpenHookThatHangsPastItsTimeoutIsNoGo()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        receiver.Answer = (_, _, ct) => Receiver.HangAsync(ct);
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await HookedWindow.CreateAsync(client, receiver.Url("/pre"), timeout: "PT1S");

        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT1M" }))["id"]!;

        await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Cancelled", TimeSpan.FromSeconds(20), "not opened");
        var hook = Assert.Single((await client.GetJsonAsync($"/api/v1/runs/{runId}/report"))["notifications"]!["hooks"]!.AsArray())!;
        Assert.Equal("noGo", (string?)hook["verdict"]);
        Assert.Equal("no answer within 1 s", (string?)hook["answer"]);
        Assert.Null(hook["statusCode"]);
        Assert.InRange((long)hook["latencyMs"]!, 900, 5_000);
    }
}
