using Orchestrator.Testing.Lab;

namespace Orchestrator.EndToEnd.Tests.Probes;

/// <summary>
/// Connects from one lab host to another's 7680 again and again (a fresh connection every few milliseconds, each
/// reading whatever the peer serves, counted in the <see cref="TrafficLedger"/>) to see when the port opens or closes.
/// A short connect timeout, not the kernel's SYN retry, decides "closed": a dropped SYN is retried only after 1 s.
/// </summary>
public sealed class PortWatch(NetworkLab lab, TrafficLedger ledger)
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromMilliseconds(80);
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);

    /// <summary>One fetch from <paramref name="from"/> to <paramref name="to"/>:7680, counted in the ledger.</summary>
    /// <param name="idleTimeout">How long the fetch waits for more data before calling it stalled: short (the default)
    /// where a probe watches the port close under it, longer where a transfer must complete on a loaded machine.</param>
    public async Task<PeerFetch> FetchAsync(string from, string to, TimeSpan? connectTimeout = null, TimeSpan? idleTimeout = null)
    {
        var fetch = await PeerFetch.RunAsync(lab, from, lab[to].Address, connectTimeout ?? ConnectTimeout, idleTimeout ?? IdleTimeout);
        if (fetch.Bytes > 0)
        {
            ledger.Add(serving: to, receiving: from, fetch.Bytes);
        }

        return fetch;
    }

    /// <summary>Retries until a connection succeeds; returns that (complete) fetch, or null at the deadline.</summary>
    /// <param name="idleTimeout">As for <see cref="FetchAsync"/>.</param>
    public async Task<PeerFetch?> UntilOpenAsync(
        string from, string to, DateTimeOffset deadline, CancellationToken cancellationToken, TimeSpan? idleTimeout = null)
    {
        while (TimeProvider.System.GetUtcNow() < deadline)
        {
            var fetch = await FetchAsync(from, to, idleTimeout: idleTimeout);
            if (fetch.Connected)
            {
                return fetch;
            }

            await Task.Delay(Pause, cancellationToken);
        }

        return null;
    }

    /// <summary>Attempts from <paramref name="watchFrom"/> until the port has stayed closed for <paramref name="settle"/>
    /// (or <paramref name="giveUpAt"/>), then says when it closed relative to <paramref name="plannedEnd"/>.</summary>
    public async Task<CloseObservation> UntilClosedAsync(
        string from, string to, DateTimeOffset plannedEnd, DateTimeOffset watchFrom, TimeSpan settle, DateTimeOffset giveUpAt,
        CancellationToken cancellationToken)
    {
        var clock = TimeProvider.System;
        await Clock.DelayUntilAsync(watchFrom, cancellationToken);

        var attempts = new List<PeerFetch>();
        DateTimeOffset? closedSince = null;
        while (clock.GetUtcNow() < giveUpAt && (closedSince is null || clock.GetUtcNow() - closedSince < settle))
        {
            var fetch = await FetchAsync(from, to);
            attempts.Add(fetch);
            closedSince = fetch.Connected ? null : closedSince ?? fetch.StartedAt;
            await Task.Delay(Pause, cancellationToken);
        }

        return CloseObservation.From(plannedEnd, attempts);
    }
}
