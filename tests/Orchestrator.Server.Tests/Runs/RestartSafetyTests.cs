using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Postgres;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Runs;

/// <summary>
/// The server process is killed with SIGKILL and started again on the same files: runs must still open and
/// close as planned, and no occurrence may produce a second run. On PostgreSQL the restarted server finds its runs,
/// Quartz's triggers and Hangfire's jobs in the database instead of the files.
/// </summary>
public abstract class RestartSafetyTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "orchestrator-restart", Guid.NewGuid().ToString("N"));
    private IReadOnlyDictionary<string, string>? _storage;

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    /// <summary>The storage settings of this test's servers (the same for every restart), or none for SQLite files.</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> StorageAsync();

    private async Task<ServerProcess> StartAsync()
    {
        _storage ??= await StorageAsync();
        return await ServerProcess.StartAsync(_data, ServerSettings.ShortWindows.Concat(_storage).ToDictionary(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunInProgressStillClosesAtItsEndAfterTheServerIsKilledAndRestarted()
    {
        long runId;
        DateTimeOffset plannedEnd;
        await using (var first = await StartAsync())
        {
            await Seed.SiteAsync(first.Client);
            var windowId = await Seed.YearlyWindowAsync(first.Client);
            var run = await first.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT20S" });
            runId = (long)run["id"]!;
            plannedEnd = DateTimeOffset.Parse((string)run["plannedEnd"]!, System.Globalization.CultureInfo.InvariantCulture);
            await WaitStateAsync(first.Client, runId, "Open");
            first.KillHard();
        }

        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        await using var second = await StartAsync();
        Assert.Equal("Open", (string?)(await Seed.RunAsync(second.Client, runId))["state"]);

        var closed = await WaitStateAsync(second.Client, runId, "Closed", TimeSpan.FromSeconds(45));
        Assert.Equal("Ended", (string?)closed["closeReason"]);
        Assert.True(At(closed, "closedAt") >= plannedEnd, "closed at or after its planned end, never before");
    }

    [Fact]
    public async Task RunWhoseEndPassedDuringDowntimeIsClosedAtOnceOnStartAndMarkedSo()
    {
        long runId;
        DateTimeOffset plannedEnd;
        await using (var first = await StartAsync())
        {
            await Seed.SiteAsync(first.Client);
            var windowId = await Seed.YearlyWindowAsync(first.Client);
            var run = await first.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT6S" });
            runId = (long)run["id"]!;
            plannedEnd = At(run, "plannedEnd");
            await WaitStateAsync(first.Client, runId, "Open");
            first.KillHard();
        }

        var wait = plannedEnd - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, TestContext.Current.CancellationToken);
        var restartedAt = DateTimeOffset.UtcNow;
        await using var second = await StartAsync();

        var closed = await WaitStateAsync(second.Client, runId, "Closed", TimeSpan.FromSeconds(30));
        Assert.Equal("EndedDuringDowntime", (string?)closed["closeReason"]);
        Assert.True(At(closed, "closedAt") >= restartedAt, "closed by the restarted server");
    }

    [Fact]
    public async Task StartMissedDuringDowntimeOpensForTheRemainderAndAWindowThatPassedEntirelyIsMissed()
    {
        DateTimeOffset start;
        long longWindow, shortWindow;
        await using (var first = await StartAsync())
        {
            await Seed.SiteAsync(first.Client);
            // Taken once the server is up and seeded: on a loaded machine those took long enough for a start taken
            // before them to pass before the windows existed (the short window then never had a run at all).
            start = DateTimeOffset.UtcNow.AddSeconds(10);
            start = start.AddTicks(-(start.Ticks % TimeSpan.TicksPerSecond));
            longWindow = await Seed.OneOffWindowAsync(first.Client, "long", start, "PT60S");
            shortWindow = await Seed.OneOffWindowAsync(first.Client, "short", start, "PT5S");
            first.KillHard();
        }

        var wait = start.AddSeconds(7) - DateTimeOffset.UtcNow;
        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, TestContext.Current.CancellationToken);
        await using var second = await StartAsync();

        var opened = await ApiClient.EventuallyAsync(
            () => Seed.RunsOfAsync(second.Client, longWindow),
            runs => runs.Count == 1 && (string?)runs[0]!["state"] == "Open",
            TimeSpan.FromSeconds(30),
            "the long window's run to open for its remainder");
        var run = opened[0]!;
        Assert.Equal(start, At(run, "plannedStart"));
        Assert.Equal(start.AddSeconds(60), At(run, "plannedEnd"));
        Assert.True(At(run, "openedAt") >= start.AddSeconds(7), "opened late, after the restart, for the remainder");

        var missed = await ApiClient.EventuallyAsync(
            () => Seed.RunsOfAsync(second.Client, shortWindow),
            runs => runs.Count == 1 && (string?)runs[0]!["state"] == "Missed",
            TimeSpan.FromSeconds(30),
            "the short window's run to be recorded as missed");
        Assert.Null(missed[0]!["openedAt"]);
    }

    [Fact]
    public async Task NoOccurrenceEverProducesTwoRunsAcrossRepeatedKills()
    {
        long windowId;
        var server = await StartAsync();
        try
        {
            await Seed.SiteAsync(server.Client);
            var window = await server.Client.CreateAsync("/api/v1/windows", new
            {
                name = "every five seconds",
                cron = "0/5 * * * * ?",
                timeZone = "Etc/UTC",
                duration = "PT5S",
                groups = new[] { Seed.Group },
            });
            windowId = (long)window["id"]!;
            for (var kill = 0; kill < 3; kill++)
            {
                await ApiClient.EventuallyAsync(
                    () => Seed.RunsOfAsync(server.Client, windowId),
                    runs => runs.Count > kill * 2,
                    TimeSpan.FromSeconds(30),
                    $"runs to be created after {kill} kill(s); server output:\n{server.Output}");
                server.KillHard();
                await server.DisposeAsync();
                await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
                server = await StartAsync();
            }

            await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
            var runs = await Seed.RunsOfAsync(server.Client, windowId);
            var keys = runs.Select(r => (string)r!["occurrenceKey"]!).Order(StringComparer.Ordinal).ToList();

            Assert.Equal(keys.Count, keys.Distinct().Count());
            var first = DateTime.Parse(keys[0], System.Globalization.CultureInfo.InvariantCulture);
            var last = DateTime.Parse(keys[^1], System.Globalization.CultureInfo.InvariantCulture);
            var expected = Enumerable.Range(0, (int)((last - first).TotalSeconds / 5) + 1)
                .Select(i => first.AddSeconds(5 * i).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
            Assert.Equal(expected, keys);
            Assert.True(keys.Count >= 5, $"the window kept firing across three kills ({keys.Count} occurrences)");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task<JsonNode> WaitStateAsync(HttpClient client, long runId, string state, TimeSpan? timeout = null) =>
        await ApiClient.EventuallyAsync(
            () => Seed.RunAsync(client, runId),
            run => (string?)run["state"] == state,
            timeout ?? TimeSpan.FromSeconds(20),
            $"run {runId} to be {state}");

    private static DateTimeOffset At(JsonNode node, string field) =>
        DateTimeOffset.Parse((string)node[field]!, System.Globalization.CultureInfo.InvariantCulture);
}

[Collection(ChildProcesses.OnSqlite)]
public sealed class RestartSafetyTests_Sqlite : RestartSafetyTests
{
    protected override Task<IReadOnlyDictionary<string, string>> StorageAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
}

[Collection(ChildProcesses.OnPostgres)]
public sealed class RestartSafetyTests_Postgres(PostgresClusterFixture cluster) : RestartSafetyTests
{
    protected override async Task<IReadOnlyDictionary<string, string>> StorageAsync() =>
        ServerSettings.Postgres(await cluster.CreateDatabaseAsync("restart", TestContext.Current.CancellationToken));
}
