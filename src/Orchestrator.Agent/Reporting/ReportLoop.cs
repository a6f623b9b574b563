using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Server;
using Orchestrator.Protocol;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Orchestrator.Agent.Reporting;

/// <summary>
/// Every ReportIntervalSeconds (or at once after an apply or scan): read the counters, turn them into deltas and
/// send them. A built batch keeps its ReportId and content until the server accepts it, and no new reading is
/// taken meanwhile (the kernel keeps counting), so retries never double-count and nothing is lost. On Windows the
/// Delivery Optimization deltas (<see cref="IDeliveryOptimizationFeed"/>) are taken and kept the same way.
/// </summary>
internal sealed class ReportLoop : BackgroundService
{
    private readonly AgentOptions agent;
    private readonly CredentialSession session;
    private readonly AgentServerClient server;
    private readonly IFirewallEnforcer enforcer;
    private readonly AgentStatus status;
    private readonly TimeProvider time;
    private readonly ILogger<ReportLoop> logger;
    private readonly IDeliveryOptimizationFeed? deliveryOptimization;
    private readonly ResiliencePipeline pipeline;
    private readonly CounterDeltas deltas = new();
    private readonly Queue<AgentReportV1> unsent = new();
    private readonly SemaphoreSlim wake = new(0, 1);

    public ReportLoop(
        IOptions<AgentOptions> options, CredentialSession session, AgentServerClient server, IFirewallEnforcer enforcer,
        AgentStatus status, TimeProvider time, ILogger<ReportLoop> logger, IDeliveryOptimizationFeed? deliveryOptimization = null)
    {
        this.deliveryOptimization = deliveryOptimization;
        agent = options.Value;
        this.session = session;
        this.server = server;
        this.enforcer = enforcer;
        this.status = status;
        this.time = time;
        this.logger = logger;
        pipeline = BuildPipeline(agent, time);
        status.Changed += WakeUp;
    }

    public override void Dispose()
    {
        status.Changed -= WakeUp;
        wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReportOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Catch-all on purpose: a failed report (server down, circuit open, nft listing failed) must not end
                // reporting; unsent batches stay queued and the next interval tries again.
                logger.LogWarning("Report not delivered, will retry: {Message}", ex.Message);
            }
            finally
            {
                await WaitForNextAsync(stoppingToken);
            }
        }
    }

    /// <summary>Builds a new batch only when the previous one was accepted, then sends what is queued, in order.</summary>
    internal async Task ReportOnceAsync(CancellationToken cancellationToken)
    {
        if (unsent.Count == 0)
        {
            var snapshot = status.Take();
            var counters = FirewallCounters.Empty;
            try
            {
                counters = deltas.Next(await enforcer.ReadCountersAsync(cancellationToken));
            }
            catch (InvalidOperationException ex)
            {
                logger.LogError("Cannot read firewall counters: {Message}", ex.Message);
            }

            // Taken like the counters: once per new batch, which keeps it until accepted (retries resend, never recount).
            var stats = deliveryOptimization?.Take();
            foreach (var report in ReportBatches.Build(snapshot, counters, () => Guid.NewGuid().ToString("N"), deliveryOptimization: stats))
            {
                unsent.Enqueue(report);
            }
        }

        while (unsent.TryPeek(out var report))
        {
            var credential = await session.GetAsync(cancellationToken);
            try
            {
                await pipeline.ExecuteAsync(
                    static async (state, token) => await state.server.PostReportAsync(state.credential, state.report, token),
                    (server, credential, report),
                    cancellationToken);
            }
            catch (CredentialRejectedException)
            {
                session.Rejected(credential);
                throw;
            }

            unsent.Dequeue();
            logger.LogDebug("Report {ReportId} accepted", report.ReportId);
        }
    }

    internal int UnsentCount => unsent.Count;

    private static ResiliencePipeline BuildPipeline(AgentOptions agent, TimeProvider time)
    {
        var transient = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutException>();
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = agent.ReportRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(agent.ReportIntervalSeconds * 4),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(Math.Max(agent.ReportIntervalSeconds * 6, 30)),
                BreakDuration = TimeSpan.FromSeconds(agent.ReportBreakSeconds),
            })
            .Build();
    }

    private void WakeUp()
    {
        try
        {
            if (wake.CurrentCount == 0)
            {
                wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one pending wake-up is enough.
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    private async Task WaitForNextAsync(CancellationToken stoppingToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var interval = Task.Delay(TimeSpan.FromSeconds(agent.ReportIntervalSeconds), time, waiting.Token);
        var woken = wake.WaitAsync(waiting.Token);
        await Task.WhenAny(interval, woken);
        await waiting.CancelAsync();
        try
        {
            await Task.WhenAll(interval, woken);
        }
        catch (OperationCanceledException)
        {
            // The loser of the race was cancelled, or the host is stopping.
        }

        // A wake-up that won the race was consumed; one that lost was cancelled and left the count alone.
    }
}
