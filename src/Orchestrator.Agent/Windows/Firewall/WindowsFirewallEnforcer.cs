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
    ILogger<WindowsFirewallEnforcer> logger) : IFirewallEnforcer, IDisposable
{
    private static readonly IReadOnlyDictionary<int, IReadOnlySet<IPAddress>> Nothing = new Dictionary<int, IReadOnlySet<IPAddress>>();

    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Peers per port that the last successful apply allowed; null when unknown (before install, after a
    /// failed apply), and then the next apply first narrows the guards to everyone-refused.</summary>
    private IReadOnlyDictionary<int, IReadOnlySet<IPAddress>>? applied;

    /// <summary>Records the host (once), then closes: guards refuse every guarded port, built-in Delivery
    /// Optimization rules off, stale rules and tasks removed, Delivery Optimization set to HTTP only.</summary>
    public async Task InstallClosedAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await takeover.EnsureRecordedAsync(cancellationToken);
            applied = null;
            var result = await RunAsync(FirewallScripts.InstallClosed(guardedPorts), cancellationToken);
            if (!result.Succeeded)
            {
                throw new FirewallUnavailableException(
                    $"Windows Firewall refused the closed state ({result.Describe()}). The agent must run as LocalSystem or an administrator.");
            }

            try
            {
                await deliveryOptimization.ApplyAsync(null, cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                throw new FirewallUnavailableException(ex.Message, ex);
            }

            applied = Nothing;

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

    public async Task ApplyAsync(IReadOnlyList<OpeningV1> openings, CancellationToken cancellationToken)
    {
        var runs = RunOpening.From(openings, guardedPorts, localAddresses.Own());
        await gate.WaitAsync(cancellationToken);
        try
        {
            var script = FirewallScripts.Apply(runs, applied, guardedPorts, time.GetLocalNow(), powerShell.Executable);
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

            applied = guardedPorts.ToDictionary(
                p => p, p => (IReadOnlySet<IPAddress>)runs.Where(r => r.Port == p).SelectMany(r => r.Peers).ToHashSet());
            logger.LogInformation("Firewall applied: {Runs} run rules, {Peers} peers", runs.Count, runs.Sum(r => r.Peers.Count));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Windows Firewall keeps no per-address byte or drop counters, so this reading is always empty;
    /// per-peer bytes on Windows come from Delivery Optimization's own statistics instead.</summary>
    public Task<FirewallCounters> ReadCountersAsync(CancellationToken cancellationToken) => Task.FromResult(FirewallCounters.Empty);

    public void Dispose() => gate.Dispose();

    private Task<CommandResult> RunAsync(string script, CancellationToken cancellationToken) =>
        runner.RunAsync(powerShell.Script(script), commandTimeout, time, cancellationToken);
}
