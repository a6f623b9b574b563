using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Windows.Firewall;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>
/// Samples Delivery Optimization while a run is open and feeds the <see cref="DeliveryOptimizationLedger"/>, whose deltas
/// wait in <see cref="PendingDeliveryOptimization"/> for the next report:
/// <list type="bullet">
/// <item>when a run opens: a baseline (status and connection log), which counts nothing;</item>
/// <item>every <see cref="WindowsAgentOptions.PeerInfoInterval"/> while open: the status (bytes by source, per file) and
/// the live peers (<c>-PeerInfo</c>); every <see cref="WindowsAgentOptions.ConnectionLogInterval"/> also the log;</item>
/// <item>at the first sample after the close: the status and the log once more, then the ledger ends.</item>
/// </list>
/// Outside runs nothing is read and nothing is reported.
/// </summary>
internal sealed class DeliveryOptimizationSampler(
    DeliveryOptimizationStatisticsReader reader,
    IOpenRuns runs,
    PendingDeliveryOptimization pending,
    WindowsAgentOptions options,
    TimeProvider time,
    ILogger<DeliveryOptimizationSampler> logger) : BackgroundService
{
    /// <summary>Non-null from a run's baseline until the reading after its close.</summary>
    private DeliveryOptimizationLedger? ledger;
    private long logReadAt;

    /// <summary>True between a baseline and the final reading after the close.</summary>
    internal bool Sampling => ledger is not null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Catch-all on purpose: a failed cmdlet must not end sampling. The ledger keeps high-water marks per
                // file and per peer, so the next sample counts what this one missed.
                logger.LogWarning("Delivery Optimization sample failed, next one in {Interval}: {Message}", options.PeerInfoInterval, ex.Message);
            }

            try
            {
                await Task.Delay(options.PeerInfoInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One step of the loop; throws <see cref="InvalidOperationException"/> when a cmdlet failed (what was
    /// counted before the failure is kept).</summary>
    internal async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        var open = runs.AnyRunOpen();
        if (ledger is not { } current)
        {
            if (open)
            {
                var fresh = new DeliveryOptimizationLedger();
                fresh.Baseline(await reader.ReadFilesAsync(cancellationToken), await reader.ReadConnectionLogAsync(cancellationToken));
                logReadAt = time.GetTimestamp();
                ledger = fresh;
                logger.LogInformation("Delivery Optimization baseline taken; sampling every {Interval} while the run is open", options.PeerInfoInterval);
            }

            return;
        }

        // Each delta goes to pending at once: the ledger has moved past it, so it must not be lost to a later failure.
        pending.Add(current.ObserveFiles(await reader.ReadFilesAsync(cancellationToken)));
        if (open)
        {
            pending.Add(current.ObservePeers(await reader.ReadLivePeersAsync(cancellationToken)));
            if (time.GetElapsedTime(logReadAt) >= options.ConnectionLogInterval)
            {
                pending.Add(current.ObservePeers(await reader.ReadConnectionLogAsync(cancellationToken)));
                logReadAt = time.GetTimestamp();
            }

            return;
        }

        // Closed: the log once more (it holds connections the live samples missed), then this run's ledger ends.
        pending.Add(current.ObservePeers(await reader.ReadConnectionLogAsync(cancellationToken)));
        ledger = null;
        logger.LogInformation("Delivery Optimization sampling ended with the run's close");
    }
}
