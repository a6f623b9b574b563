using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Notifications;
using Orchestrator.Server.Hooks;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Notifications;

namespace Orchestrator.Server.Tests.Hooks;

/// <summary>
/// A run's post-close hook job may run more than once: Hangfire hands a job out again, or start-up queues the call of a
/// closed run again. The hook is still called once: a job that finds the call recorded calls nothing, and a job that
/// finds the hook being called in this process leaves the run to that call.
/// </summary>
public sealed class PostCloseHookCalledOnceTests
{
    [Fact]
    public async Task AJobRunAgainAfterTheCallWasRecordedCallsNothing()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await HookedWindow.CreateAsync(client, receiver.Url("/pre"), postClose: receiver.Url("/post"));
        var runId = await HookedWindow.RunWithoutJobsAsync(factory.Services, windowId, RunState.Closed);
        await factory.Services.GetRequiredService<IHookCallStore>().RecordAsync(
            new HookCall(runId, HookKinds.PostClose, receiver.Url("/post"), DateTimeOffset.UtcNow, 500, 12, HookKinds.Failed, "busy"),
            TestContext.Current.CancellationToken);

        await factory.Services.GetRequiredService<PostCloseHookJob>().CallAsync(runId, "hooked");

        Assert.Empty(receiver.Calls);
        var hook = Assert.Single((await client.GetJsonAsync($"/api/v1/runs/{runId}/report"))["notifications"]!["hooks"]!.AsArray())!;
        Assert.Equal(HookKinds.Failed, (string?)hook["verdict"]);
    }

    [Fact]
    public async Task ASecondJobWhileTheHookIsCalledReturnsAndTheHookIsCalledOnce()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        var answer = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Answer = (_, _, _) => answer.Task;
        await using var factory = Webhooks.Server();
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await HookedWindow.CreateAsync(client, receiver.Url("/pre"), postClose: receiver.Url("/post"));
        var runId = await HookedWindow.RunWithoutJobsAsync(factory.Services, windowId, RunState.Closed);
        var first = factory.Services.GetRequiredService<PostCloseHookJob>().CallAsync(runId, "hooked");
        await ApiClient.EventuallyAsync(() => Task.FromResult(receiver.Calls.Count), n => n == 1, TimeSpan.FromSeconds(20), "the hook to be called");

        await factory.Services.GetRequiredService<PostCloseHookJob>().CallAsync(runId, "hooked");

        Assert.False(first.IsCompleted, "the first job still waits for the hook's answer");
        answer.SetResult((200, "{}"));
        await first;
        Assert.Single(receiver.Calls);
        var hook = Assert.Single((await client.GetJsonAsync($"/api/v1/runs/{runId}/report"))["notifications"]!["hooks"]!.AsArray())!;
        Assert.Equal(HookKinds.Ok, (string?)hook["verdict"]);
    }
}
