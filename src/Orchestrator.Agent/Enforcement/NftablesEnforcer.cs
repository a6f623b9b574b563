using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Identity;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>Linux enforcement with the agent's own nftables table <c>inet orchestrator</c>; it never touches
/// any other table.</summary>
internal sealed class NftablesEnforcer(
    INftRunner nft, IReadOnlyList<int> guardedPorts, ILocalAddresses localAddresses, ILogger<NftablesEnforcer> logger)
    : IFirewallEnforcer
{
    public async Task InstallClosedAsync(CancellationToken cancellationToken)
    {
        var result = await nft.RunAsync(["-f", "-"], NftBatches.InstallClosed(guardedPorts), cancellationToken);
        if (!result.Succeeded)
        {
            throw new FirewallUnavailableException(
                $"nft refused to install table inet orchestrator (exit {result.ExitCode}): {result.StandardError.Trim()} " +
                "The agent needs CAP_NET_ADMIN and nftables support in the kernel.");
        }

        logger.LogInformation("Firewall closed: table inet orchestrator installed, ports {Ports} refused from everyone", guardedPorts);
    }

    public async Task ApplyAsync(IReadOnlyList<OpeningV1> openings, CancellationToken cancellationToken)
    {
        var allowances = OpeningValidator.ToAllowances(openings, guardedPorts, localAddresses.Own());
        var result = await nft.RunAsync(["-f", "-"], NftBatches.Apply(allowances), cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"nft rejected the openings batch (exit {result.ExitCode}): {result.StandardError.Trim()}");
        }

        logger.LogInformation("Firewall applied: {Count} peer openings", allowances.Count);
    }

    public async Task<FirewallCounters> ReadCountersAsync(CancellationToken cancellationToken)
    {
        // One listing of the whole table instead of one call per set: six processes every few seconds add up.
        var result = await nft.RunAsync(["-j", "list", "table", NftBatches.Family, NftBatches.Table], null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"nft could not list table inet orchestrator (exit {result.ExitCode}): {result.StandardError.Trim()}");
        }

        return NftCounterParser.Parse(result.StandardOutput);
    }
}
