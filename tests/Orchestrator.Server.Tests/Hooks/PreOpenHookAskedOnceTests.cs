using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Notifications;
using Orchestrator.Server.Hooks;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Notifications;

namespace Orchestrator.Server.Tests.Hooks;

/// <summary>
/// A run's pre-open hook job may run more than once: after a server was killed between the hook's answer and the
/// opening, or when start-up requeued a job this process had just picked up. The hook is still asked once: a job that
/// finds the answer recorded acts on it (a "no go" is never turned into an opening by a second question), and a job
/// that finds the hook being asked in this process leaves the run to that call.
/// </summary>
public sealed class PreOpenHookAskedOnceTests
{
    [Theory]
    [InlineData("go", "Open")]
    [InlineData("noGo", "Cancelled")]
    public async Task AJobRunAgainAfterTheHookAnsweredActsOnTheRecordedAnswerWithoutAskingAgain(string recorded, string state)
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        // Asked again, the hook would answer the opposite of what it answered the first time.
        receiver.Answer = (_, _, _) => Task.FromResult((200, recorded == "go" ? """{"go": false}""" : """{"go": true}"""));
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await HookedWindow.CreateAsync(client, receiver.Url("/pre"));
        var runId = await HookedWindow.RunWithoutJobsAsync(factory.Services, windowId, Core.Runs.RunState.Opening);
        var answeredAt = DateTimeOffset.UtcNow;
        await factory.Services.GetRequiredService<IHookCallStore>().RecordAsync(
            new HookCall(runId, HookKinds.PreOpen, receiver.Url("/pre"), answeredAt, 200, 12, recorded, recorded == "go" ? """{"go": true}""" : """{"go": false}"""),
            TestContext.Current.CancellationToken);

        await factory.Services.GetRequiredService<PreOpenHookJob>().OpenAsync(runId, "hooked");

        Assert.Equal(state, (string?)(await Seed.RunAsync(client, runId))["state"]);
        Assert.Empty(receiver.Calls);
        var hook = Assert.Single((await client.GetJsonAsync($"/api/v1/runs/{runId}/report"))["notifications"]!["hooks"]!.AsArray())!;
        Assert.Equal(recorded, (string?)hook["verdict"]);
    }

    [Fact]
    public async Task ASecondJobWhileTheHookIsAskedReturnsAndTheHookIsAskedOnce()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        var answer = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Answer = (_, _, _) => answer.Task;
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await HookedWindow.CreateAsync(client, receiver.Url("/pre"), timeout: "PT1M");
        var runId = await HookedWindow.RunWithoutJobsAsync(factory.Services, windowId, Core.Runs.RunState.Opening);
        var first = factory.Services.GetRequiredService<PreOpenHookJob>().OpenAsync(runId, "hooked");
        await ApiClient.EventuallyAsync(() => Task.FromResult(receiver.Calls.Count), n => n == 1, TimeSpan.FromSeconds(20), "the hook to be asked");

        await factory.Services.GetRequiredService<PreOpenHookJob>().OpenAsync(runId, "hooked");

        Assert.False(first.IsCompleted, "the first job still waits for the hook's answer");
        Assert.Equal("Opening", (string?)(await Seed.RunAsync(client, runId))["state"]);
        answer.SetResult((200, """{"go": true}"""));
        await first;
        Assert.Equal("Open", (string?)(await Seed.RunAsync(client, runId))["state"]);
        Assert.Single(receiver.Calls);
    }
}
