using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Notifications;
using Orchestrator.Testing.Postgres;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Hooks;

/// <summary>
/// The server is killed with SIGKILL while it asks a run's pre-open hook, and started again: the run must not stay
/// Opening until the job storage hands the hook job out again on its own (30 minutes on SQLite), or a window shorter than
/// that is recorded Missed. The hook is asked again, since its first answer was never received.
/// </summary>
public abstract class PreOpenHookRestartTests : IDisposable
{
    private readonly TempDataFolder _data = new("orchestrator-hook-restart-");
    private IReadOnlyDictionary<string, string>? _settings;

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _data.Dispose();
    }

    /// <summary>The storage settings of this test's servers (the same for both starts).</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> StorageAsync();

    /// <summary>How long the restarted server may take to ask the hook again.</summary>
    protected abstract TimeSpan AskedAgainWithin { get; }

    /// <summary>What the restarted server says it did with the hook job at start-up.</summary>
    protected abstract string StartupRecovery { get; }

    private async Task<ServerProcess> StartAsync()
    {
        _settings ??= new Dictionary<string, string>(ServerSettings.ShortWindows.Concat(await StorageAsync()), StringComparer.Ordinal)
        {
            ["Orchestrator__Notifications__AllowLoopbackTargets"] = "true",
        };
        return await ServerProcess.StartAsync(_data.Path, _settings);
    }

    [Fact]
    public async Task AServerKilledWhileItAsksThePreOpenHookAsksItAgainWhenItStartsAndOpensTheRun()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        // The first question is never answered (the server dies waiting); the next one says go.
        receiver.Answer = (_, n, ct) => n == 1 ? Receiver.HangAsync(ct) : Task.FromResult((200, """{"go": true}"""));
        long runId;
        await using (var first = await StartAsync())
        {
            await Seed.SiteAsync(first.Client);
            var windowId = await HookedWindow.CreateAsync(first.Client, receiver.Url("/pre"), timeout: "PT2M");
            runId = (long)(await first.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" }))["id"]!;
            await ApiClient.EventuallyAsync(() => Task.FromResult(receiver.Calls.Count), n => n == 1, TimeSpan.FromSeconds(20), "the hook to be asked");
            first.KillHard();
        }

        await using var second = await StartAsync();

        var run = await ApiClient.EventuallyAsync(
            () => Seed.RunAsync(second.Client, runId), r => (string?)r["state"] == "Open", AskedAgainWithin, $"run {runId} to open; server output:\n{second.Output}");
        Assert.Equal(2, receiver.Calls.Count);
        Assert.All(receiver.Calls, c => Assert.Equal("/pre", c.Path));
        Assert.NotNull(run["openedAt"]);
        var hook = Assert.Single((await second.Client.GetJsonAsync($"/api/v1/runs/{runId}/report"))["notifications"]!["hooks"]!.AsArray())!;
        Assert.Equal("go", (string?)hook["verdict"]);
        Assert.Contains(StartupRecovery, second.Output, StringComparison.Ordinal);
    }
}

[Collection(ChildProcesses.OnSqlite)]
public sealed class PreOpenHookRestartTests_Sqlite : PreOpenHookRestartTests
{
    protected override TimeSpan AskedAgainWithin => TimeSpan.FromSeconds(20);

    protected override string StartupRecovery => "was cut short by a stop; it runs again";

    protected override Task<IReadOnlyDictionary<string, string>> StorageAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
}

/// <summary>On PostgreSQL the storage hands a dead node's job out again after <c>JobInvisibilityTimeout</c> (10 s here);
/// start-up leaves a "Processing" job alone, since it may be running on a live node.</summary>
[Collection(ChildProcesses.OnPostgres)]
public sealed class PreOpenHookRestartTests_Postgres(PostgresClusterFixture cluster) : PreOpenHookRestartTests
{
    protected override TimeSpan AskedAgainWithin => TimeSpan.FromSeconds(45);

    protected override string StartupRecovery => "Pre-open hook of 1 opening run(s) checked at start-up: 0 job(s) requeued, 0 queued anew";

    protected override async Task<IReadOnlyDictionary<string, string>> StorageAsync() =>
        new Dictionary<string, string>(ServerSettings.Postgres(await cluster.CreateDatabaseAsync("hook_restart", TestContext.Current.CancellationToken)), StringComparer.Ordinal)
        {
            ["Orchestrator__JobInvisibilityTimeout"] = "00:00:10",
        };
}
