using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Hooks;

/// <summary>A yearly window of <see cref="Seed.Group"/> with a pre-open hook (and optionally a post-close hook).</summary>
internal static class HookedWindow
{
    public static async Task<long> CreateAsync(HttpClient client, string preOpen, string? postClose = null, string timeout = "PT3S")
    {
        var hooks = new JsonObject { ["preOpen"] = new JsonObject { ["url"] = preOpen, ["timeout"] = timeout } };
        if (postClose is not null)
        {
            hooks["postClose"] = new JsonObject { ["url"] = postClose };
        }

        var window = await client.CreateAsync("/api/v1/windows", new JsonObject
        {
            ["name"] = "hooked",
            ["cron"] = "0 0 3 1 1 ?",
            ["timeZone"] = "Etc/UTC",
            ["duration"] = "PT1H",
            ["groups"] = new JsonArray(Seed.Group),
            ["hooks"] = hooks,
        });
        return (long)window["id"]!;
    }

    /// <summary>The receiver answers the pre-open hook "go" and never answers the first post-close call (the server dies
    /// waiting); the calls after it are answered.</summary>
    public static void HangTheFirstPostCloseCall(Notifications.Receiver receiver)
    {
        var postCalls = 0;
        receiver.Answer = (call, _, ct) => call.Path == "/post" && Interlocked.Increment(ref postCalls) == 1
            ? Notifications.Receiver.HangAsync(ct)
            : Task.FromResult((200, """{"go": true}"""));
    }

    /// <summary>A run of the window in <paramref name="state"/> whose hook jobs have not run: what a server killed while
    /// it called a hook leaves.</summary>
    public static async Task<long> RunWithoutJobsAsync(IServiceProvider services, long windowId, RunState state)
    {
        var window = (await services.GetRequiredService<IWindowStore>().GetAsync(windowId, TestContext.Current.CancellationToken))!;
        var start = DateTimeOffset.UtcNow;
        var end = start.AddMinutes(5);
        var (run, created) = await services.GetRequiredService<IRunStore>().CreateAsync(
            new NewRun(window.Id, window.Definition.Name, $"test-{start.ToUnixTimeMilliseconds()}", RunKind.AdHoc, state, start, end, end, window.Definition),
            "test",
            start,
            TestContext.Current.CancellationToken);
        Assert.True(created);
        return run.Id;
    }
}
