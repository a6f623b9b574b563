using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Server;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Polling;

/// <summary>
/// Long-polls the desired state and enforces it; shaped after Halibut's PollingClient. The firewall was closed
/// before this loop starts, and every opening expires in the kernel, so nothing here has to succeed for the
/// port to close on time.
/// </summary>
internal sealed class DesiredStatePoller(
    IOptions<AgentOptions> options,
    CredentialSession session,
    AgentServerClient server,
    IFirewallEnforcer enforcer,
    AgentStatus status,
    ScanQueue scans,
    TimeProvider time,
    ILogger<DesiredStatePoller> logger,
    IPeeringPolicy? peering = null,
    PeerSetResolver? peerSets = null) : BackgroundService
{
    private readonly IPeeringPolicy _peering = peering ?? new NoPeeringPolicy();

    private long heldVersion;

    // The held version when it is in force in full with nothing to report: the next poll says so (ack-by-poll).
    private long? inForceVersion;

    // The runs of the last state applied: a new state that drops one closes it, and the close goes by report at once.
    private HashSet<long> heldRuns = [];

    internal long HeldVersion => heldVersion;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var agent = options.Value;
        var backoff = new Backoff(
            TimeSpan.FromSeconds(agent.MinBackoffSeconds), TimeSpan.FromSeconds(agent.MaxBackoffSeconds), Random.Shared);

        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = TimeSpan.Zero;
            try
            {
                // Linked so that shutdown ends a held poll at once, and a server that never answers cannot stall the loop.
                using var exchange = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                exchange.CancelAfter(TimeSpan.FromSeconds(agent.PollWaitSeconds + agent.HttpGraceSeconds));
                await ExchangeAsync(exchange.Token);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Catch-all on purpose: whatever one exchange throws (network, server bug, bad JSON, nft hiccup),
                // the loop must survive and try again; dying here would leave the endpoint unmanaged.
                LogFailure(ex);
                delay = backoff.Next();
            }
            finally
            {
                await DelayQuietly(delay, stoppingToken);
            }
        }
    }

    /// <summary>One poll: enroll if needed, wait for a new state, apply it, queue its scans.</summary>
    internal async Task ExchangeAsync(CancellationToken cancellationToken)
    {
        var agent = options.Value;
        var credential = await session.GetAsync(cancellationToken);
        DesiredStateV1? state;
        try
        {
            state = await server.GetStateAsync(
                credential, heldVersion, agent.PollWaitSeconds, cancellationToken, peerSets is not null, inForceVersion == heldVersion ? inForceVersion : null);
        }
        catch (CredentialRejectedException)
        {
            session.Rejected(credential);
            throw;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or NotSupportedException)
        {
            // The server answered with a state this agent cannot read: whatever it meant, the previous openings are no
            // longer what it wants, so none of them may stay (and the held version is no longer in force).
            inForceVersion = null;
            await FailClosedAsync(null, $"desired state unreadable: {ex.Message}", cancellationToken);
            throw;
        }

        if (state is null)
        {
            return;
        }

        IReadOnlyList<string> unreachable = [];
        if (peerSets is not null)
        {
            try
            {
                unreachable = await peerSets.ResolveAsync(credential, state.Openings ?? [], cancellationToken);
            }
            catch (CredentialRejectedException)
            {
                session.Rejected(credential);
                throw;
            }
        }

        // The new version is held even when refused: asking again for it would only get the same answer at once. Not when
        // a peer set could not be fetched: the state is applied without the runs naming it (that only narrows), and the
        // next poll, after the backoff, gets the same state at once and fetches again.
        if (unreachable.Count == 0)
        {
            heldVersion = state.Version;
        }

        try
        {
            inForceVersion = null;
            var runs = (state.Openings ?? []).OfType<OpeningV1>().Select(o => o.RunId).ToHashSet();
            var closes = heldRuns.Except(runs).Any();
            heldRuns = runs;
            var outcome = await enforcer.ApplyAsync(state.Openings ?? [], cancellationToken);
            var note = await _peering.ApplyAsync(state.DeliveryOptimization, cancellationToken);
            if (outcome.Complete)
            {
                var notes = (outcome.Notes ?? []).Append(note).OfType<string>().ToList();
                // The server acknowledges openings from the next poll when it said so; a close is still reported at once,
                // because that report carries the run's last counters (and a note is only ever told by a report).
                var byPoll = state.AcknowledgeByPoll == true && notes.Count == 0 && unreachable.Count == 0;
                inForceVersion = notes.Count == 0 && unreachable.Count == 0 ? state.Version : null;
                status.Applied(state.Version, notes.Count == 0 ? null : "applied; " + string.Join("; ", notes), reportNow: !byPoll || closes);
                logger.LogInformation("Applied desired state {Version}: {Openings} openings, Delivery Optimization {Mode}",
                    state.Version, outcome.Applied, state.DeliveryOptimization?.Mode);
            }
            else
            {
                var error = $"{outcome.Refused.Count} problem(s), {outcome.Applied} valid opening(s) applied, the rest left closed: " +
                    string.Join("; ", outcome.Refused);
                logger.LogError("Desired state {Version} applied only in part: {Error}", state.Version, error);
                status.ApplyFailed(state.Version, error);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or FirewallUnavailableException or OpeningRefusedException)
        {
            // The enforcer has already fallen back to the closed state; Delivery Optimization follows it.
            await QuietPeeringClosedAsync(cancellationToken);
            logger.LogError("Desired state {Version} not applied, closed instead: {Error}", state.Version, ex.Message);
            status.ApplyFailed(state.Version, $"not applied, closed instead: {ex.Message}");
        }

        if (unreachable.Count > 0)
        {
            throw new HttpRequestException($"desired state {state.Version} applied without the runs whose peer set could not be fetched: {string.Join("; ", unreachable)}");
        }

        foreach (var scan in state.Scans ?? [])
        {
            scans.Enqueue(scan);
        }
    }

    /// <summary>Applies the closed state (no opening at all) and reports why.</summary>
    private async Task FailClosedAsync(long? version, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await enforcer.ApplyAsync([], cancellationToken);
            await QuietPeeringClosedAsync(cancellationToken);
            logger.LogError("{Reason}; every opening removed (closed state)", reason);
            status.ApplyFailed(version, $"{reason}; closed instead");
        }
        catch (Exception ex) when (ex is InvalidOperationException or FirewallUnavailableException)
        {
            logger.LogError("{Reason}; closing failed too: {Error}", reason, ex.Message);
            status.ApplyFailed(version, $"{reason}; closing failed too: {ex.Message}");
        }
    }

    private async Task QuietPeeringClosedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _peering.ApplyAsync(null, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            logger.LogWarning("Delivery Optimization not set back to HTTP only: {Message}", ex.Message);
        }
    }

    private void LogFailure(Exception ex)
    {
        if (ex is CredentialRejectedException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning("Desired-state poll failed: {Message}", ex.Message);
        }
        else
        {
            logger.LogError(ex, "Desired-state poll failed");
        }
    }

    private async Task DelayQuietly(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutdown during the backoff: the while condition ends the loop.
        }
    }
}
