using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.DeliveryOptimization;
using Orchestrator.Agent.Windows.State;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>
/// Windows enforcement with Windows Firewall rules named <c>Orchestrator-*</c> (group "Orchestrator") and one-shot
/// scheduled tasks under <c>\Orchestrator\</c>: per guarded port a guard block rule, per open run an allow rule
/// scoped to the peers plus a task that removes it at the window end. The built-in Delivery Optimization inbound
/// rules are kept disabled. Nothing else is touched.
/// </summary>
internal sealed class WindowsFirewallEnforcer(
    ICommandRunner runner,
    PowerShell powerShell,
    HostTakeover takeover,
    DeliveryOptimizationPolicy deliveryOptimization,
    IReadOnlyList<int> guardedPorts,
    ILocalAddresses localAddresses,
    TimeSpan commandTimeout,
    TimeProvider time,
    ILogger<WindowsFirewallEnforcer> logger,
    IPeerSets? peerSets = null,
    DropLog? dropLog = null) : IFirewallEnforcer, IOpenRuns, IDisposable
{
    private static readonly IReadOnlyDictionary<int, IReadOnlySet<IPAddress>> Nothing = new Dictionary<int, IReadOnlySet<IPAddress>>();

    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Peers per port that the last successful apply allowed; null when unknown (before install, after a
    /// failed apply), and then the next apply first narrows the guards to everyone-refused.</summary>
    private IReadOnlyDictionary<int, IReadOnlySet<IPAddress>>? applied;

    /// <summary>The runs of the last successful apply and the monotonic timestamp their durations count from.</summary>
    private IReadOnlyList<RunOpening> inForce = [];
    private long inForceSince;
    private bool installed;

    /// <summary>Records the host (once), then closes: guards refuse every guarded port, built-in Delivery
    /// Optimization rules off, stale rules and tasks removed, Delivery Optimization set to HTTP only.</summary>
    public async Task InstallClosedAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await takeover.EnsureRecordedAsync(cancellationToken);
            applied = null;
            var result = await RunAsync(ClosedScript(), cancellationToken);
            if (!result.Succeeded)
            {
                throw new FirewallUnavailableException(
                    $"Windows Firewall refused the closed state ({result.Describe()}). The agent must run as LocalSystem or an administrator.");
            }

            try
            {
                _ = await deliveryOptimization.ApplyAsync(null, cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                throw new FirewallUnavailableException(ex.Message, ex);
            }

            applied = Nothing;
            inForce = [];
            installed = true;

            logger.LogInformation("Firewall closed: guard rules refuse ports {Ports} to everyone, built-in Delivery Optimization rules disabled", guardedPorts);
        }
        catch (Exception ex) when (ex is CommandUnavailableException or TimeoutException)
        {
            throw new FirewallUnavailableException($"Cannot drive Windows Firewall: {ex.Message}", ex);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<ApplyOutcome> ApplyAsync(IReadOnlyList<OpeningV1> openings, CancellationToken cancellationToken)
    {
        // Durations are relative to receipt; counting from before the script errs on the short side.
        var since = time.GetTimestamp();
        var own = localAddresses.Own();
        var (valid, refused) = OpeningSelection.Split(openings, guardedPorts, own, peerSets);
        var runs = RunOpening.From(valid, guardedPorts, own, peerSets);
        await gate.WaitAsync(cancellationToken);
        try
        {
            var expired = await ApplyRunsAsync(runs, cancellationToken);
            var took = time.GetElapsedTime(since);
            inForce = runs.Where(r => !expired.Contains(r.RuleName)).ToList();
            inForceSince = since;
            var late = runs.Where(r => expired.Contains(r.RuleName))
                .Select(r => string.Create(CultureInfo.InvariantCulture,
                    $"run {r.RunId} port {r.Port}: its window ended ({r.Seconds} s) before the apply reached it ({took.TotalSeconds:0.#} s); not opened"))
                .ToList();
            var shortest = runs.Count == 0 ? (int?)null : runs.Min(r => r.Seconds);
            logger.LogInformation("Firewall applied in {Took}: {Runs} run rules, {Peers} peers, {Refused} openings refused, shortest remaining window {Shortest} s",
                took, runs.Count, runs.Sum(r => r.Peers.Count), refused.Count + late.Count, shortest);
            if (shortest is { } seconds && took.TotalSeconds * 2 >= seconds)
            {
                logger.LogWarning("Applying the firewall took {Took}, at least half of the shortest remaining window ({Seconds} s)", took, seconds);
            }

            return new ApplyOutcome(valid.Count - late.Count, [.. refused, .. late], takeover.Findings.Count == 0 ? null : takeover.Findings);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{ex.Message}; {await FailClosedAsync(cancellationToken)}", ex);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Lists our rules and compares them with what was applied (a Group Policy refresh or an administrator can
    /// remove or change them); when they differ, applies the runs in force again with their remaining time.</summary>
    public async Task<FirewallRepair?> VerifyAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!installed)
            {
                return null;
            }

            var runs = Remaining();
            CommandResult listing;
            try
            {
                listing = await RunAsync(FirewallScripts.ListRules(), cancellationToken);
            }
            catch (Exception ex) when (ex is CommandUnavailableException or TimeoutException)
            {
                throw new InvalidOperationException($"Windows Firewall rules could not be listed: {ex.Message}", ex);
            }

            var finding = listing.Succeeded
                ? RuleListing.Difference(listing.StandardOutput, guardedPorts, runs)
                : $"our rules could not be listed ({listing.Describe()})";
            if (finding is null)
            {
                return null;
            }

            // Unknown previous state: the script narrows the guards to everyone-refused first, then re-creates the rules.
            applied = null;
            await ApplyRunsAsync(runs, cancellationToken);
            logger.LogWarning("Firewall repaired: {Finding}; guards and {Count} run rules re-applied", finding, runs.Count);
            return new FirewallRepair(finding, runs.Count);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Windows Firewall changes are not watched here; the periodic verification finds them.</summary>
    public IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();

    /// <summary>Windows Firewall keeps no per-address byte or drop counters: per-peer bytes on Windows come from Delivery
    /// Optimization's own statistics instead, and blocked attempts only from the drop log, when the agent was told to
    /// turn it on (Agent:Windows:LogDroppedPackets); otherwise this reading is empty.</summary>
    public Task<FirewallCounters> ReadCountersAsync(CancellationToken cancellationToken)
    {
        if (dropLog is null)
        {
            return Task.FromResult(FirewallCounters.Empty);
        }

        var open = Remaining();
        try
        {
            var blocked = dropLog.Read(guardedPorts, port => open.Where(r => r.Port == port).SelectMany(r => r.Peers).ToHashSet());
            return Task.FromResult(FirewallCounters.Empty with { BlockedPackets = blocked });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The firewall drop log {dropLog.FileName} could not be read: {ex.Message}", ex);
        }
    }

    /// <summary>Read without the gate: <see cref="inForce"/> is replaced whole, and a sample taken a moment before or after
    /// an apply counts the same bytes either way (the ledger keeps high-water marks).</summary>
    public bool AnyRunOpen() => Remaining().Count > 0;

    public void Dispose() => gate.Dispose();

    /// <summary>Returns the rule names of runs whose window ended before the script reached them (not opened).</summary>
    private async Task<IReadOnlySet<string>> ApplyRunsAsync(IReadOnlyList<RunOpening> runs, CancellationToken cancellationToken)
    {
        var afterLastRun = DeliveryOptimizationScripts.RestoreWindowValues(takeover.Recorded);
        var restoreLogging = dropLog is null ? null : DropLogScripts.Restore(takeover.Recorded);
        var script = FirewallScripts.Apply(
            runs, applied, guardedPorts, time.GetLocalNow(), powerShell.Executable,
            restoreLogging is null ? afterLastRun : afterLastRun + "; " + restoreLogging);
        if (dropLog is not null)
        {
            // Drop logging lasts as long as some run is open; the close task (and uninstall) put it back too.
            script += (runs.Count > 0 ? DropLogScripts.Enable(dropLog.FileName, dropLog.MaxKilobytes) : restoreLogging ?? "") + "\n";
        }

        // Unknown until it succeeds: a half-run script may have changed any part.
        applied = null;
        CommandResult result;
        try
        {
            result = await RunAsync(script, cancellationToken);
        }
        catch (Exception ex) when (ex is CommandUnavailableException or TimeoutException)
        {
            throw new InvalidOperationException($"Windows Firewall openings not applied: {ex.Message}", ex);
        }

        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Windows Firewall openings not applied ({result.Describe()}).");
        }

        var expired = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith(FirewallScripts.ExpiredMarker, StringComparison.Ordinal))
            .Select(line => line[FirewallScripts.ExpiredMarker.Length..].Trim())
            .ToHashSet(StringComparer.Ordinal);
        // The guard was widened for the expired runs' peers too; the next verification narrows it (they are not in force).
        applied = guardedPorts.ToDictionary(
            p => p, p => (IReadOnlySet<IPAddress>)runs.Where(r => r.Port == p).SelectMany(r => r.Peers).ToHashSet());
        return expired;
    }

    /// <summary>The runs in force with their remaining whole seconds (never longer than the server said); expired ones left out.</summary>
    private List<RunOpening> Remaining()
    {
        var elapsed = (long)Math.Ceiling(time.GetElapsedTime(inForceSince).TotalSeconds);
        return inForce
            .Select(r => r with { Seconds = (int)Math.Max(0, r.Seconds - elapsed) })
            .Where(r => r.Seconds > 0)
            .ToList();
    }

    /// <summary>After a failed apply: the closed state (guards refuse everyone, every run rule and task removed). Says what
    /// it achieved, for the error report.</summary>
    private async Task<string> FailClosedAsync(CancellationToken cancellationToken)
    {
        inForce = [];
        try
        {
            var result = await RunAsync(ClosedScript(), cancellationToken);
            if (result.Succeeded)
            {
                applied = Nothing;
                return "the closed state was applied instead";
            }

            return $"the closed state could not be applied either ({result.Describe()})";
        }
        catch (Exception ex) when (ex is CommandUnavailableException or TimeoutException)
        {
            return $"the closed state could not be applied either ({ex.Message})";
        }
    }

    /// <summary>The closed state; with drop logging, the profiles' logging back as recorded too (it lasts only while a run is open).</summary>
    private string ClosedScript() =>
        dropLog is not null && DropLogScripts.Restore(takeover.Recorded) is { } restore
            ? FirewallScripts.InstallClosed(guardedPorts) + restore + "\n"
            : FirewallScripts.InstallClosed(guardedPorts);

    private Task<CommandResult> RunAsync(string script, CancellationToken cancellationToken) =>
        runner.RunAsync(powerShell.Script(script), commandTimeout, time, cancellationToken);
}
