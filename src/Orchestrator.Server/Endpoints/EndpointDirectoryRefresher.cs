using Microsoft.Extensions.Options;
using Orchestrator.Data.Endpoints;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Endpoints;

/// <summary>
/// Keeps <see cref="EndpointDirectory"/> current in the background. Otherwise the first opening after a change reads
/// the whole catalog at its start: at 10,000 endpoints, after an enrollment wave, that was 104–140 ms between the
/// window's start and its members being stored. Every <see cref="OrchestratorOptions.EndpointDirectoryRefreshInterval"/>
/// the catalog's version is read (one row); the list is read again once the version has moved and then stayed the same
/// for one interval, so an enrollment wave, which moves it thousands of times, is read once it is over, not at every
/// tick. A change made on another node is picked up the same way.
/// </summary>
internal sealed partial class EndpointDirectoryRefresher(
    EndpointDirectory directory, IEndpointStore endpoints, IOptions<OrchestratorOptions> options, TimeProvider time, ILogger<EndpointDirectoryRefresher> log)
    : BackgroundService
{
    /// <summary>Read the list again when the version seen now is the one seen a tick ago and not the one held.</summary>
    internal static bool Settled(long held, long seenBefore, long seenNow) => seenNow == seenBefore && seenNow != held;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EndpointDirectoryRefreshInterval, time);
        var seenBefore = long.MinValue;
        var failing = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var seenNow = await endpoints.CatalogVersionAsync(stoppingToken);
                    if (Settled(directory.Version, seenBefore, seenNow))
                    {
                        await directory.ListAsync(stoppingToken);
                    }

                    seenBefore = seenNow;
                    failing = false;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Only a shortcut: an opening reads the list itself when it is stale. Said once per outage.
                    if (!failing)
                    {
                        failing = true;
                        LogFailed(log, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the endpoint list in the background failed; an opening reads it itself until this works again")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
