using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Notifications;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Hooks;

/// <summary>
/// The server is killed with SIGKILL while it calls a run's post-close hook, and started again: the hook is called again
/// at start-up, since the outcome of the first call never arrived, instead of once Hangfire's SQLite storage hands the job
/// out again on its own (30 minutes later), and one call is recorded with the run.
/// </summary>
[Collection(ChildProcesses.OnSqlite)]
public sealed class PostCloseHookRestartTests : IDisposable
{
    private readonly TempDataFolder _data = new("orchestrator-post-close-restart-");

    public void Dispose() => _data.Dispose();

    private Task<ServerProcess> StartAsync() =>
        ServerProcess.StartAsync(_data.Path, new Dictionary<string, string>(ServerSettings.ShortWindows, StringComparer.Ordinal)
        {
            ["Orchestrator__Notifications__AllowLoopbackTargets"] = "true",
        });

    [Fact]
    public async Task AServerKilledWhileItCallsThePostCloseHookCallsItAgainWhenItStarts()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        HookedWindow.HangTheFirstPostCloseCall(receiver);
        long runId;
        await using (var first = await StartAsync())
        {
            await Seed.SiteAsync(first.Client);
            var windowId = await HookedWindow.CreateAsync(first.Client, receiver.Url("/pre"), postClose: receiver.Url("/post"));
            runId = (long)(await first.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;
            await ApiClient.EventuallyAsync(
                () => Task.FromResult(receiver.Calls.Count(c => c.Path == "/post")), n => n == 1, TimeSpan.FromSeconds(30), $"the post-close hook to be called; server output:\n{first.Output}");
            first.KillHard();
        }

        await using var second = await StartAsync();

        await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.Count(c => c.Path == "/post")), n => n == 2, TimeSpan.FromSeconds(20), $"the post-close hook to be called again; server output:\n{second.Output}");
        var hooks = await ApiClient.EventuallyAsync(
            async () => (await second.Client.GetJsonAsync($"/api/v1/runs/{runId}/report"))["notifications"]!["hooks"]!.AsArray(),
            h => h.Count == 2, TimeSpan.FromSeconds(10), "both hook calls recorded");
        var postClose = Assert.Single(hooks, h => (string?)h!["kind"] == "postClose")!;
        Assert.Equal("ok", (string?)postClose["verdict"]);
        Assert.Contains("Run " + runId + ": its post-close hook job", second.Output, StringComparison.Ordinal);
        Assert.Contains("was cut short by a stop; it runs again", second.Output, StringComparison.Ordinal);
    }
}
