using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Polling;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// Keeps the agent's rules in place while it runs. Another process can remove them at any time (<c>nft flush ruleset</c>,
/// a firewall reload, a Group Policy refresh), which would leave the guarded ports open to everyone. The guard verifies
/// the live rules at once when the firewall reports a change (<c>nft monitor</c> on Linux) and every
/// <see cref="AgentOptions.FirewallVerifyInterval"/> in any case (events can be missed, and Windows has none here);
/// the enforcer repairs what differs and the repair is reported to the server.
/// </summary>
internal sealed class FirewallGuard(
    IFirewallEnforcer enforcer, AgentStatus status, IOptions<AgentOptions> options, TimeProvider time, ILogger<FirewallGuard> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim changed = new(0, 1);

    public override void Dispose()
    {
        changed.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.FirewallVerifyInterval;
        var watching = WatchAsync(interval, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            await VerifyOnceAsync(stoppingToken);
            await WaitAsync(interval, stoppingToken);
        }

        await watching;
    }

    /// <summary>One verification; a failure is logged and the next change or interval tries again.</summary>
    internal async Task<FirewallRepair?> VerifyOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var repair = await enforcer.VerifyAsync(cancellationToken);
            if (repair is not null)
            {
                status.Repaired(repair);
            }

            return repair;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex)
        {
            // Catch-all on purpose: the guard must outlive any one failed check or repair; the next one tries again.
            logger.LogError("Firewall verification failed: {Message}", ex.Message);
            return null;
        }
    }

    private async Task WatchAsync(TimeSpan restartDelay, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var line in enforcer.WatchAsync(stoppingToken))
                {
                    logger.LogDebug("Firewall change: {Line}", line);
                    Signal();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Without events the periodic verification still runs; the watcher is started again after a pause.
                logger.LogWarning("Firewall change watcher stopped: {Message}", ex.Message);
            }

            try
            {
                await Task.Delay(restartDelay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Signal()
    {
        try
        {
            if (changed.CurrentCount == 0)
            {
                changed.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // One pending verification covers every change before it.
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    private async Task WaitAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var elapsed = Task.Delay(interval, time, waiting.Token);
        var signalled = changed.WaitAsync(waiting.Token);
        await Task.WhenAny(elapsed, signalled);
        await waiting.CancelAsync();
        try
        {
            await Task.WhenAll(elapsed, signalled);
        }
        catch (OperationCanceledException)
        {
            // The loser of the race was cancelled (a cancelled semaphore wait consumes no signal), or the host stops.
        }
    }
}
