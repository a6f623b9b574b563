using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Identity;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enforcement;

/// <summary>Linux enforcement with the agent's own nftables table <c>inet orchestrator</c>; it never touches
/// any other table. It remembers what it installed so that it can put it back when someone else removes or alters it
/// (<c>nft flush ruleset</c> is what a firewall reload does).</summary>
internal sealed class NftablesEnforcer(
    INftRunner nft,
    IReadOnlyList<int> guardedPorts,
    ILocalAddresses localAddresses,
    TimeProvider time,
    ILogger<NftablesEnforcer> logger,
    IPeerSets? peerSets = null)
    : IFirewallEnforcer, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>The table as listed right after the closed state was installed; null before install.</summary>
    private NftTableShape? installedShape;

    /// <summary>The openings in force and the monotonic timestamp of when their relative durations started counting.</summary>
    private IReadOnlyList<PeerAllowance> allowances = [];
    private long allowancesSince;

    /// <summary>Whole seconds the last apply took from receipt to the kernel: elements may legitimately expire that much
    /// later than the remaining time counted from receipt, which verification must not mistake for a longer opening.</summary>
    private long applySlack;

    public async Task InstallClosedAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var result = await nft.RunAsync(["-f", "-"], NftBatches.InstallClosed(guardedPorts), cancellationToken);
            if (!result.Succeeded)
            {
                throw new FirewallUnavailableException(
                    $"nft refused to install table inet orchestrator (exit {result.ExitCode}): {result.StandardError.Trim()} " +
                    "The agent needs CAP_NET_ADMIN and nftables support in the kernel.");
            }

            allowances = [];
            try
            {
                installedShape = await ListAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or System.Text.Json.JsonException)
            {
                throw new FirewallUnavailableException($"table inet orchestrator cannot be read back, so it cannot be kept: {ex.Message}", ex);
            }

            logger.LogInformation("Firewall closed: table inet orchestrator installed, ports {Ports} refused from everyone", guardedPorts);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<ApplyOutcome> ApplyAsync(IReadOnlyList<OpeningV1> openings, CancellationToken cancellationToken)
    {
        // Durations are relative to receipt; counting from before the nft call errs on the short side.
        var since = time.GetTimestamp();
        var own = localAddresses.Own();
        var (valid, refused) = OpeningSelection.Split(openings, guardedPorts, own, peerSets);
        var wanted = OpeningValidator.ToAllowances(valid, guardedPorts, own, peerSets);
        await gate.WaitAsync(cancellationToken);
        try
        {
            var result = await nft.RunAsync(["-f", "-"], NftBatches.Apply(wanted), cancellationToken);
            if (!result.Succeeded)
            {
                var closed = await FailClosedAsync(cancellationToken);
                throw new InvalidOperationException(
                    $"nft rejected the openings batch (exit {result.ExitCode}): {result.StandardError.Trim()}; {closed}");
            }

            allowances = wanted;
            allowancesSince = since;
            applySlack = (long)Math.Ceiling(time.GetElapsedTime(since).TotalSeconds);
            logger.LogInformation("Firewall applied: {Count} peer elements, {Refused} openings refused", wanted.Count, refused.Count);
            return new ApplyOutcome(valid.Count, refused);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<FirewallRepair?> VerifyAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (installedShape is null)
            {
                return null;
            }

            var remaining = Remaining();
            string? finding;
            try
            {
                var live = await ListAsync(cancellationToken);
                finding = live is null
                    ? "table inet orchestrator was removed"
                    : NftTableShape.Difference(installedShape, live, Expected(), applySlack);
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException)
            {
                finding = $"table inet orchestrator could not be read back ({ex.Message})";
            }

            if (finding is null)
            {
                return null;
            }

            // One batch: the table is re-created closed and the openings re-added with what is left of their time, so
            // no moment passes with the port open to everyone or a peer allowed longer than the server said.
            var result = await nft.RunAsync(["-f", "-"], NftBatches.InstallClosed(guardedPorts) + NftBatches.Apply(remaining), cancellationToken);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(
                    $"{finding}, and re-installing it failed (exit {result.ExitCode}): {result.StandardError.Trim()}");
            }

            installedShape = await ListAsync(cancellationToken) ?? installedShape;
            applySlack = 0;
            logger.LogWarning("Firewall repaired: {Finding}; closed state and {Count} openings re-installed", finding, remaining.Count);
            return new FirewallRepair(finding, remaining.Count);
        }
        finally
        {
            gate.Release();
        }
    }

    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Every ruleset change of the host is one line; only those naming our table matter ("flush ruleset" arrives as
        // one delete line per object of every table, ours included).
        await foreach (var line in nft.StreamAsync(["monitor"], cancellationToken))
        {
            if (line.Contains($"{NftBatches.Family} {NftBatches.Table}", StringComparison.Ordinal))
            {
                yield return line;
            }
        }
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

    public void Dispose() => gate.Dispose();

    /// <summary>The openings in force with their remaining whole seconds (rounded down, so never longer than the server
    /// said); expired ones are left out.</summary>
    private List<PeerAllowance> Remaining()
    {
        var elapsed = (long)Math.Ceiling(time.GetElapsedTime(allowancesSince).TotalSeconds);
        return allowances
            .Select(a => a with { Seconds = (int)Math.Max(0, a.Seconds - elapsed) })
            .Where(a => a.Seconds > 0)
            .ToList();
    }

    /// <summary>Every opening installed, with its remaining whole seconds, 0 for those the agent counts as over: the
    /// count rounds the time gone up, so in an opening's last second the kernel still holds an element the agent already
    /// counts as expired. Leaving it out made the check take it for a stranger's opening and re-create the table.</summary>
    private Dictionary<(string Peer, int Port), long> Expected()
    {
        var elapsed = (long)Math.Ceiling(time.GetElapsedTime(allowancesSince).TotalSeconds);
        return allowances.ToDictionary(a => (a.Peer, a.Port), a => Math.Max(0, a.Seconds - elapsed));
    }

    /// <summary>After a failed apply: empty the allow sets, or, if even that fails (the table is gone or broken),
    /// re-create the whole table closed. Says what it achieved, for the error report.</summary>
    private async Task<string> FailClosedAsync(CancellationToken cancellationToken)
    {
        allowances = [];
        var flush = await nft.RunAsync(["-f", "-"], NftBatches.Apply([]), cancellationToken);
        if (flush.Succeeded)
        {
            logger.LogWarning("Openings batch rejected: every opening removed (closed state)");
            return "every opening was removed instead (closed state)";
        }

        var install = await nft.RunAsync(["-f", "-"], NftBatches.InstallClosed(guardedPorts), cancellationToken);
        if (install.Succeeded)
        {
            installedShape = await ListAsync(cancellationToken) ?? installedShape;
            return "the table was re-installed in the closed state instead";
        }

        return $"and the closed state could not be installed either (exit {install.ExitCode}): {install.StandardError.Trim()}";
    }

    /// <summary>The live table, or null when it does not exist.</summary>
    private async Task<NftTableShape?> ListAsync(CancellationToken cancellationToken)
    {
        var listing = await nft.RunAsync(["-j", "list", "table", NftBatches.Family, NftBatches.Table], null, cancellationToken);
        if (!listing.Succeeded)
        {
            if (listing.StandardError.Contains("No such file or directory", StringComparison.Ordinal))
            {
                return null;
            }

            throw new InvalidOperationException($"nft could not list table inet orchestrator (exit {listing.ExitCode}): {listing.StandardError.Trim()}");
        }

        return NftTableShape.Parse(listing.StandardOutput);
    }
}
