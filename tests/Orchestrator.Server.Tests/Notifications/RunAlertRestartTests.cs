using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Notifications;

/// <summary>Alerts for what happened while the server was down: the server runs as a child process killed and started again.</summary>
[Collection(ChildProcesses.OnSqlite)]
public sealed class RunAlertRestartTests
{
    [Fact]
    public async Task AWindowThatPassedWhileTheServerWasDownIsAlertedAsMissedAndALateOpeningAsNotOpenedOnTime()
    {
        await using var receiver = await Receiver.StartAsync(Webhooks.Secret);
        var data = Directory.CreateTempSubdirectory("orchestrator-missed-").FullName;
        try
        {
            await MissedAndLateAsync(receiver, data);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task MissedAndLateAsync(Receiver receiver, string data)
    {
        var settings = new Dictionary<string, string>(ServerSettings.ShortWindows)
        {
            ["Orchestrator__Notifications__AllowLoopbackTargets"] = "true",
            ["Orchestrator__Notifications__LateOpenThreshold"] = "00:00:02",
        };
        DateTimeOffset start;
        long shortWindow, longWindow;
        await using (var first = await ServerProcess.StartAsync(data, settings))
        {
            await Seed.SiteAsync(first.Client);
            await Webhooks.RegisterAsync(first.Client, receiver.Url(), ["window.missed", "run.notOpenedOnTime"]);
            // Timed from here, not from before the start-up: a server slow to start on a loaded machine must still be
            // killed before the windows begin, or it would open them itself.
            start = DateTimeOffset.UtcNow.AddSeconds(6);
            start = start.AddTicks(-(start.Ticks % TimeSpan.TicksPerSecond));
            shortWindow = await Seed.OneOffWindowAsync(first.Client, "short", start, "PT5S");
            longWindow = await Seed.OneOffWindowAsync(first.Client, "long", start, "PT60S");
            first.KillHard();
            Assert.True(DateTimeOffset.UtcNow < start, $"the first server was killed after the windows' start {start:HH:mm:ss.fff}");
        }

        var wait = start.AddSeconds(7) - DateTimeOffset.UtcNow;
        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, TestContext.Current.CancellationToken);
        await using var second = await ServerProcess.StartAsync(data, settings);

        await ApiClient.EventuallyAsync(
            () => Task.FromResult(receiver.Calls.Count),
            n => n >= 2,
            TimeSpan.FromSeconds(40),
            () => $"two alerts (received: {string.Join(", ", receiver.Calls.Select(c => c.Event))}; the restarted server's output:\n{second.Output})");
        var missed = JsonNode.Parse(Assert.Single(receiver.Calls, c => c.Event == "window.missed").Body)!;
        Assert.Equal("short", (string?)missed["windowName"]);
        Assert.Equal("critical", (string?)missed["severity"]);
        Assert.Equal((long)(await Seed.RunsOfAsync(second.Client, shortWindow))[0]!["id"]!, (long)missed["runId"]!);
        var late = JsonNode.Parse(Assert.Single(receiver.Calls, c => c.Event == "run.notOpenedOnTime").Body)!;
        Assert.Equal("long", (string?)late["windowName"]);
        Assert.Equal("late", (string?)late["details"]!["reason"]);
        Assert.Equal((long)(await Seed.RunsOfAsync(second.Client, longWindow))[0]!["id"]!, (long)late["runId"]!);
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));
    }
}
