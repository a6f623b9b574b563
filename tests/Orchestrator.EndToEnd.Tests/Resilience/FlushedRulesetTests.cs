using System.Text.Json;
using Orchestrator.EndToEnd.Tests.Api;
using Orchestrator.EndToEnd.Tests.Lab;
using Orchestrator.EndToEnd.Tests.Probes;
using Orchestrator.Testing.Lab;

namespace Orchestrator.EndToEnd.Tests.Resilience;

/// <summary>
/// "Closed means closed" on a messy host: something else on a1 runs <c>nft flush ruleset</c> (what a firewall reload
/// does), which removes the agent's table and leaves 7680 open to anyone. The agent notices (nft monitor) and puts the
/// closed state back, and inside a window the opening with its remaining time. Real server, real agents, real probes
/// from "out", which is enrolled but in no group.
/// </summary>
[Collection(EndToEndSerial.Name)]
public sealed class FlushedRulesetTests(ITestOutputHelper output)
{
    private const long ContentBytes = 64 * 1024;

    /// <summary>The agent repairs within a second of the event; probes add their own connect timeout and process start.</summary>
    private static readonly TimeSpan RepairBound = TimeSpan.FromSeconds(2);

    private readonly Figures figures = new(output);

    [Fact]
    public async Task A_flushed_ruleset_outside_a_window_is_closed_again_for_a_non_member_within_two_seconds()
    {
        LabPrerequisites.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await OrchestratorLab.StartAsync(["a1", "a2", "out"], output, ct);
        await lab.StartContentServersAsync(["a1"], ContentBytes);
        var watch = new PortWatch(lab.Network, new TrafficLedger());
        Assert.False((await watch.FetchAsync("out", "a1", TimeSpan.FromSeconds(1))).Connected, "7680 must be closed before the flush");

        var closed = await FlushAndWatchAsync(lab, watch, ct);

        figures.Print($"outside a window, after nft flush ruleset on a1: out -> a1:7680 {closed}");
        Assert.True(closed.ClosedBy <= RepairBound, $"out still reached a1:7680 after the flush: {closed}");
    }

    [Fact]
    public async Task A_flushed_ruleset_inside_a_window_is_closed_to_a_non_member_and_open_to_a_member_again()
    {
        LabPrerequisites.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await OrchestratorLab.StartAsync(["a1", "a2", "out"], output, ct);
        await lab.StartContentServersAsync(["a1"], ContentBytes);
        await lab.Api.CreateGroupAsync("group-a", ["a1", "a2"], ct);
        var window = await lab.Api.CreateOneOffWindowAsync("e2e-flush", Clock.Now + TimeSpan.FromDays(1), TimeSpan.FromMinutes(5), ["group-a"], ct);
        var run = await lab.Api.StartRunAsync(window.Id, TimeSpan.FromSeconds(90), ct);
        var watch = new PortWatch(lab.Network, new TrafficLedger());
        Assert.NotNull(await watch.UntilOpenAsync("a2", "a1", Clock.Now + TimeSpan.FromSeconds(10), ct));
        Assert.False((await watch.FetchAsync("out", "a1", TimeSpan.FromSeconds(1))).Connected, "a non-member must be refused during the window");

        var closed = await FlushAndWatchAsync(lab, watch, ct);
        var member = await watch.FetchAsync("a2", "a1", TimeSpan.FromSeconds(1));

        figures.Print($"inside a window, after nft flush ruleset on a1: out -> a1:7680 {closed}; a2 -> a1 afterwards: {member.Outcome}");
        Assert.True(closed.ClosedBy <= RepairBound, $"out still reached a1:7680 after the flush: {closed}");
        Assert.True(member.Connected, $"the member lost its opening with the repair ({member.Outcome})");
        var allowed = (await lab.Network.ExecAsync("a1", LabPrerequisites.NftPath, "list", "set", "inet", "orchestrator", "allowed4"))
            .EnsureSuccess("nft list set on a1").StandardOutput;
        Assert.Contains($"{lab["a2"]} . 7680 timeout 1m", allowed, StringComparison.Ordinal);
        Assert.Contains("firewall repaired", await RunReportTimelineAsync(lab, run.Id, "firewall repaired", ct), StringComparison.Ordinal);
    }

    /// <summary>Flushes a1's ruleset and probes from "out" until a1:7680 has stayed closed for 2 s.</summary>
    private static async Task<CloseObservation> FlushAndWatchAsync(OrchestratorLab lab, PortWatch watch, CancellationToken ct)
    {
        var flushedAt = Clock.Now;
        (await lab.Network.ExecAsync("a1", LabPrerequisites.NftPath, "flush", "ruleset")).EnsureSuccess("nft flush ruleset on a1");
        return await watch.UntilClosedAsync(
            "out", "a1", flushedAt, watchFrom: flushedAt, settle: TimeSpan.FromSeconds(2), giveUpAt: flushedAt + TimeSpan.FromSeconds(15), ct);
    }

    /// <summary>The run report's timeline, once it mentions <paramref name="expected"/> (the agent reports every second).</summary>
    private static async Task<string> RunReportTimelineAsync(OrchestratorLab lab, long runId, string expected, CancellationToken ct)
    {
        var timeline = "";
        for (var attempt = 0; attempt < 50 && !timeline.Contains(expected, StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(200, ct);
            using var report = JsonDocument.Parse(await lab.Api.Http.GetStringAsync($"/api/v1/runs/{runId}/report", ct));
            timeline = report.RootElement.GetProperty("timeline").GetRawText();
        }

        return timeline;
    }
}
