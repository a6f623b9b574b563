using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Cluster;

/// <summary>
/// Quartz's clustered job store hands a trigger acquired by a node that dies to the surviving node: the node holding a
/// run's end trigger (read from quartz.qrtz_fired_triggers, where each acquired trigger names the instance that
/// acquired it) is killed with SIGKILL just before the end, and the other node closes the run as Ended, late only by the
/// failure detection (check-in 2 s + misfire threshold 3 s in <see cref="TwoNodes.Settings"/>) and the polling of Quartz
/// and Hangfire.
/// </summary>
[Collection(ChildProcesses.OnPostgres)]
public sealed class TriggerTakeoverTests(ClusterDatabase database) : IClassFixture<ClusterDatabase>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheRunsEndTriggerAcquiredByANodeThatIsKilledFiresOnTheOtherNode()
    {
        var connectionString = await database.CreateAsync("takeover");
        // Quartz names its instance (AUTO: host name and start ticks) in its start-up lines, so the instance that
        // acquired the trigger can be told to be node A or node B.
        await using var nodes = await TwoNodes.StartAsync(connectionString, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Quartz"] = "Information",
            // Each acquisition of the scheduler thread ("Batch acquisition of N triggers"), for a failure's message.
            ["Logging__LogLevel__Quartz.Core.QuartzSchedulerThread"] = "Debug",
        });
        await Seed.SiteAsync(nodes.A.Client);
        var windowId = (long)(await nodes.A.Client.CreateAsync("/api/v1/windows", new
        {
            name = "takeover",
            cron = "0 0 3 1 1 ?",
            timeZone = "Etc/UTC",
            duration = "PT1H",
            cutoff = "PT0S",
            groups = new[] { Seed.Group },
            scan = new { enabled = false },
        }))["id"]!;

        // Quartz 4.7 acquires a trigger at its scheduler thread's next look at the store, which asks for everything due
        // within the idle wait (30 s) of it; scheduling wakes the thread only for a trigger due before that look. So an end
        // 25 s away is acquired at once or at a node's next look, which can come in the last second before it is due: too
        // late to kill the holder before it fires. That run is then left to close, and the next one is tried.
        long runId = 0;
        DateTimeOffset plannedEnd = default;
        string endTrigger = "", holder = "";
        for (var attempt = 1; holder.Length == 0; attempt++)
        {
            runId = (long)(await nodes.B.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT25S" }))["id"]!;
            plannedEnd = At(await Seed.RunAsync(nodes.B.Client, runId), "plannedEnd");
            endTrigger = $"run-{runId.ToString(CultureInfo.InvariantCulture)}-end";
            holder = await AcquiredByAsync(connectionString, endTrigger, plannedEnd.AddSeconds(-1)) ?? "";
            if (holder.Length == 0)
            {
                Assert.True(attempt < 3, $"no node acquired trigger {endTrigger} a second before it was due, {attempt} runs in a row\nA:\n{nodes.A.Output}\nB:\n{nodes.B.Output}");
                var tooLate = runId;
                await ApiClient.EventuallyAsync(
                    () => Seed.RunAsync(nodes.B.Client, tooLate),
                    run => (string?)run["state"] == "Closed",
                    TimeSpan.FromSeconds(30),
                    $"run {tooLate}, acquired too late to be a takeover, to close");
            }
        }

        var holders = nodes.Both.Where(n => n.Output.Contains(holder, StringComparison.Ordinal)).ToList();
        Assert.True(holders.Count == 1, $"Quartz instance {holder} is exactly one node's:\nA:\n{nodes.A.Output}\nB:\n{nodes.B.Output}");
        var dying = holders[0];
        var survivor = nodes.Other(dying);

        // Killed 3 s before the end (or at once if acquired later), once more seen holding it, not yet fired: the survivor
        // can only fire it by taking it over (Quartz's cluster recovery releases the dead instance's acquired triggers).
        await Task.Delay(Until(plannedEnd.AddSeconds(-3)), Token);
        var stillHeld = await HeldByAsync(connectionString, endTrigger);
        Assert.True(stillHeld == (holder, "ACQUIRED"), $"trigger {endTrigger} was acquired by {holder}, now: {stillHeld}");
        dying.KillHard();
        var killedAt = DateTimeOffset.UtcNow;
        Assert.True(killedAt < plannedEnd, $"killed {(killedAt - plannedEnd).TotalSeconds:0.0} s after the planned end: too late to be a takeover");

        var closed = await ApiClient.EventuallyAsync(
            () => Seed.RunAsync(survivor.Client, runId),
            run => (string?)run["state"] == "Closed",
            TimeSpan.FromSeconds(45),
            $"the survivor to close run {runId}; survivor output:\n{survivor.Output}");
        var closedAt = At(closed, "closedAt");
        var late = closedAt - plannedEnd;
        var recovery = survivor.Output.Split('\n').Where(l => l.Contains("ClusterManager", StringComparison.Ordinal) && l.Contains(holder, StringComparison.Ordinal)).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Trigger takeover: {endTrigger} acquired by {(ReferenceEquals(dying, nodes.A) ? "A" : "B")} ({holder}), killed {(plannedEnd - killedAt).TotalSeconds:0.0} s before the planned end; the survivor closed the run {late.TotalSeconds:0.0} s after it\nsurvivor's cluster recovery:\n{string.Join('\n', recovery)}"));

        Assert.Equal("Ended", (string?)closed["closeReason"]);
        Assert.True(closedAt >= plannedEnd, "never before its planned end");
        // Check-in interval (2 s) + misfire threshold (3 s) + Quartz's and Hangfire's polling: well under 15 s.
        Assert.True(late < TimeSpan.FromSeconds(15), $"closed {late.TotalSeconds:0.0} s after its planned end");
        // The dead node's acquisition is gone (released by the survivor's cluster recovery), and nothing fired twice.
        // The survivor's own firing leaves the table when Quartz completes it, which can be just after the close job
        // it queued has closed the run (seen once in CI: the survivor's instance still held it at the first look).
        Assert.NotEmpty(recovery);
        await ApiClient.EventuallyAsync(
            () => HeldByAsync(connectionString, endTrigger),
            held => held.Instance is null,
            TimeSpan.FromSeconds(10),
            $"trigger {endTrigger} to be held by no Quartz instance (the killed one was {holder})");
        var closedLine = $"Run {runId.ToString(CultureInfo.InvariantCulture)} of window \"takeover\" closed (Ended)";
        await ApiClient.EventuallyAsync(
            () => Task.FromResult(survivor.Output.Contains(closedLine, StringComparison.Ordinal)),
            logged => logged, TimeSpan.FromSeconds(10), $"the survivor's log line '{closedLine}'");
        Assert.DoesNotContain(closedLine, dying.Output, StringComparison.Ordinal);
    }

    /// <summary>The Quartz instance that holds <paramref name="trigger"/>, once one does before <paramref name="deadline"/>;
    /// null if none does by then.</summary>
    private static async Task<string?> AcquiredByAsync(string connectionString, string trigger, DateTimeOffset deadline)
    {
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await HeldByAsync(connectionString, trigger) is { Instance: { } instance })
            {
                return instance;
            }

            await Task.Delay(200, Token);
        }

        return null;
    }

    /// <summary>The Quartz instance that acquired (state ACQUIRED) or is firing (EXECUTING) <paramref name="trigger"/>;
    /// nulls when none holds it.</summary>
    private static async Task<(string? Instance, string? State)> HeldByAsync(string connectionString, string trigger)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(
            "SELECT instance_name, state FROM quartz.qrtz_fired_triggers WHERE trigger_name = @trigger AND trigger_group = 'runs' ORDER BY fired_time LIMIT 1",
            connection);
        command.Parameters.AddWithValue("trigger", trigger);
        await using var reader = await command.ExecuteReaderAsync(Token);
        return await reader.ReadAsync(Token) ? (reader.GetString(0), reader.GetString(1)) : (null, null);
    }

    private static TimeSpan Until(DateTimeOffset moment)
    {
        var wait = moment - DateTimeOffset.UtcNow;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private static DateTimeOffset At(JsonNode node, string field) => DateTimeOffset.Parse((string)node[field]!, CultureInfo.InvariantCulture);
}
