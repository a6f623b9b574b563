using Orchestrator.EndToEnd.Tests.Api;
using Orchestrator.EndToEnd.Tests.Lab;
using Orchestrator.EndToEnd.Tests.Probes;
using Orchestrator.Testing.Lab;

namespace Orchestrator.EndToEnd.Tests.Resilience;

/// <summary>
/// "Closed means closed" without help: every opening carries its own expiry in the endpoint's kernel, so the port
/// closes at the planned end even when the server or the endpoint's agent was SIGKILLed during the run.
/// </summary>
[Collection(EndToEndSerial.Name)]
public sealed class KilledProcessTests(ITestOutputHelper output)
{
    private const long ContentBytes = 256 * 1024;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(14);

    /// <summary>With nobody to send "close", the kernel alone ends the opening: its timeout is whole seconds rounded
    /// up from when the agent applied it, so it may trail the planned end by up to a second plus the apply delay.</summary>
    private static readonly TimeSpan KernelCloseBound = TimeSpan.FromSeconds(2);

    private readonly Figures figures = new(output);

    [Fact]
    public async Task Port_closes_at_the_planned_end_even_when_the_server_is_killed_during_the_run()
    {
        LabPrerequisites.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await OrchestratorLab.StartAsync(["a1", "a2", "a3"], output, ct);
        var (run, watch) = await OpenRunAsync(lab, ct);

        await Clock.DelayUntilAsync(run.PlannedStart + TimeSpan.FromSeconds(4), ct);
        lab.Server.Kill();
        await lab.Server.WaitForExitAsync(TimeSpan.FromSeconds(10));
        figures.Print($"server SIGKILLed {(Clock.Now - run.PlannedStart).TotalSeconds:0.0} s into the run, {(run.PlannedEnd - Clock.Now).TotalSeconds:0.0} s before its end");

        var afterKill = await watch.FetchAsync("a3", "a1", TimeSpan.FromSeconds(1));
        Assert.True(afterKill.Connected, $"the opening did not survive the server ({afterKill.Outcome})");

        var closes = await WatchClosesAsync(watch, run, [("a1", "a2"), ("a2", "a3"), ("a3", "a1")], ct);

        Assert.True(lab.Server.HasExited, "the server must stay dead for this test to mean anything");
        foreach (var (pair, closed) in closes)
        {
            figures.Print($"close {pair} with the server dead: {closed}");
            Assert.NotNull(closed.FirstClosed);
            Assert.True(closed.ClosedBy <= KernelCloseBound, $"{pair} still open after the planned end with the server dead: {closed}");
            Assert.True(closed.LastSeenOpen >= TimeSpan.FromSeconds(-1), $"{pair} closed before the planned end: {closed}");
        }

        foreach (var host in (string[])["a1", "a2", "a3"])
        {
            Assert.Empty(await AllowedPeersAsync(lab, host));
        }
    }

    [Fact]
    public async Task Port_closes_at_the_planned_end_on_a_host_whose_agent_was_killed_during_the_run()
    {
        LabPrerequisites.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await OrchestratorLab.StartAsync(["a1", "a2", "a3"], output, ct);
        var (run, watch) = await OpenRunAsync(lab, ct);

        await Clock.DelayUntilAsync(run.PlannedStart + TimeSpan.FromSeconds(4), ct);
        var agent = lab.Agents["a2"];
        agent.Kill();
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
        figures.Print($"a2's agent SIGKILLed {(Clock.Now - run.PlannedStart).TotalSeconds:0.0} s into the run, {(run.PlannedEnd - Clock.Now).TotalSeconds:0.0} s before its end");

        var afterKill = await watch.FetchAsync("a1", "a2", TimeSpan.FromSeconds(1));
        Assert.True(afterKill.Connected, $"a2's opening did not survive its agent ({afterKill.Outcome})");

        var closes = await WatchClosesAsync(watch, run, [("a1", "a2"), ("a2", "a1")], ct);

        foreach (var (pair, closed) in closes)
        {
            figures.Print($"close {pair} (a2's agent dead): {closed}");
            Assert.NotNull(closed.FirstClosed);
            Assert.True(closed.ClosedBy <= KernelCloseBound, $"{pair} still open after the planned end: {closed}");
            Assert.True(closed.LastSeenOpen >= TimeSpan.FromSeconds(-1), $"{pair} closed before the planned end: {closed}");
        }

        Assert.True(agent.HasExited);
        Assert.Empty(await AllowedPeersAsync(lab, "a2"));
        Assert.False(lab.Server.HasExited, "the server was not meant to die in this scenario");
    }

    /// <summary>Group A = a1..a3, content on each, an ad-hoc run of a window now; returns once a1 reaches a2.</summary>
    private async Task<(RunInfo Run, PortWatch Watch)> OpenRunAsync(OrchestratorLab lab, CancellationToken ct)
    {
        await lab.StartContentServersAsync(["a1", "a2", "a3"], ContentBytes);
        await lab.Api.CreateGroupAsync("group-a", ["a1", "a2", "a3"], ct);
        var window = await lab.Api.CreateOneOffWindowAsync("e2e-kill", Clock.Now + TimeSpan.FromDays(1), TimeSpan.FromMinutes(5), ["group-a"], ct);
        var run = await lab.Api.StartRunAsync(window.Id, Duration, ct);
        var watch = new PortWatch(lab.Network, new TrafficLedger());
        var opened = await watch.UntilOpenAsync("a1", "a2", Clock.Now + TimeSpan.FromSeconds(10), ct);
        Assert.True(opened is not null, "a1 never reached a2:7680 during the ad-hoc run");
        figures.Print($"ad-hoc run {run.Id}: a1 -> a2:7680 open {(opened.ConnectedAt!.Value - run.PlannedStart).TotalMilliseconds:0} ms after its start");
        return (run, watch);
    }

    private static async Task<IReadOnlyList<(string Pair, CloseObservation Closed)>> WatchClosesAsync(
        PortWatch watch, RunInfo run, IReadOnlyList<(string From, string To)> pairs, CancellationToken ct)
    {
        var watches = pairs.Select(async p => ($"{p.From} -> {p.To}:7680", await watch.UntilClosedAsync(
            p.From, p.To, run.PlannedEnd, watchFrom: run.PlannedEnd - TimeSpan.FromSeconds(2), settle: TimeSpan.FromSeconds(2),
            giveUpAt: run.PlannedEnd + TimeSpan.FromSeconds(10), ct)));
        return await Task.WhenAll(watches);
    }

    /// <summary>The elements of the agent's allow-list set, straight from the host's kernel.</summary>
    private static async Task<IReadOnlyList<string>> AllowedPeersAsync(OrchestratorLab lab, string host)
    {
        var listed = (await lab.Network.ExecAsync(host, LabPrerequisites.NftPath, "list", "set", "inet", "orchestrator", "allowed4"))
            .EnsureSuccess($"nft list set on {host}").StandardOutput;
        var start = listed.IndexOf("elements = {", StringComparison.Ordinal);
        return start < 0
            ? []
            : listed[(start + "elements = {".Length)..listed.IndexOf('}', start)]
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
