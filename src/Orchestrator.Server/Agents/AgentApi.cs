using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Core;
using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Traffic;
using Orchestrator.Data.Audit;
using Orchestrator.Data.DeliveryOptimization;
using Orchestrator.Protocol;
using Orchestrator.Server.Access;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Agents;

/// <summary>Agent protocol v1: enrollment, the desired-state long-poll, reports and secret rotation.</summary>
internal static class AgentApi
{
    public const int DefaultWaitSeconds = 25;

    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder app)
    {
        // Agents authenticate with their own credential (AgentAuthentication, run for every route marked
        // AgentCredentialEndpoint by OrchestratorHost.UseAgentCredentials), not with ops keys: hence AllowAnonymous.
        app.MapPost(AgentProtocolV1.EnrollPath, EnrollAsync).WithTags("Agent protocol v1").AllowAnonymous().RequireRateLimiting(RateLimits.Auth);
        var agent = app.MapGroup(AgentProtocolV1.BasePath).WithTags("Agent protocol v1").AllowAnonymous()
            .WithMetadata(AgentCredentialEndpoint.Instance);
        // The long-poll's dependencies are resolved once here, not per request: a handler that takes services makes a
        // DI scope per request, which every parked poll keeps for its wait (StatePolls).
        var polls = ActivatorUtilities.CreateInstance<StatePolls>(app.ServiceProvider);
        agent.MapGet(AgentProtocolV1.StateRoute, (
                [Microsoft.AspNetCore.Mvc.FromQuery(Name = AgentProtocolV1.VersionQuery)] long? version,
                [Microsoft.AspNetCore.Mvc.FromQuery(Name = AgentProtocolV1.WaitQuery)] int? wait,
                [Microsoft.AspNetCore.Mvc.FromQuery(Name = AgentProtocolV1.FeaturesQuery)] string? features,
                [Microsoft.AspNetCore.Mvc.FromQuery(Name = AgentProtocolV1.AppliedQuery)] long? applied,
                HttpContext http,
                CancellationToken ct) => polls.AnswerAsync(version, wait, features, applied, http, ct))
            .WithMetadata(AgentCredentialEndpoint.LongPoll)
            .Produces<DesiredStateV1>()
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem();
        // The documented report limit, below the server's general body limit: a larger report gets 413 before it is read.
        agent.MapPost(AgentProtocolV1.ReportRoute, ReportAsync).WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(AgentProtocolV1.MaxReportBytes));
        agent.MapPost(AgentProtocolV1.RotateRoute, RotateAsync);
        agent.MapGet(AgentProtocolV1.PeerSetsRoute + "/{hash}", AgentPeerSets.GetAsync);
        return app;
    }

    private static async Task<Results<Ok<EnrollResponseV1>, ValidationProblem, ProblemHttpResult>> EnrollAsync(
        EnrollRequestV1 request, IAgentStore agents, AgentAuthentication credentials, TimeProvider time, CancellationToken ct)
    {
        var errors = EndpointValidator.Validate(request.Hostname, request.Addresses, request.Os, request.Tags).ToList();
        if (string.IsNullOrWhiteSpace(request.Token) || request.Token.Length > 200)
        {
            errors.Add(new FieldError("token", "required; the enrollment token an administrator created"));
        }

        if (request.AgentVersion is null or { Length: > 64 })
        {
            errors.Add(new FieldError("agentVersion", "required; at most 64 characters"));
        }
        else
        {
            FreeText.Validate(request.AgentVersion, "agentVersion", errors);
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var secret = Secrets.New("oas_");
        var agentId = Guid.NewGuid().ToString("N");
        var registration = new EndpointRegistration(
            request.Hostname,
            request.Addresses.Select(a => PeerAddresses.TryParseUsable(a, out var ip, out _) ? ip.ToString() : a).Distinct().ToList(),
            string.IsNullOrWhiteSpace(request.Os) ? "unknown" : request.Os,
            request.Tags ?? []);
        var enrolled = await agents.EnrollAsync(
            new Enrollment(Secrets.Hash(request.Token), registration, agentId, Secrets.Hash(secret), request.AgentVersion!), time.GetUtcNow(), ct);
        var (agent, refusal, outside) = enrolled;
        if (refusal == EnrollmentRefusal.OutsideScope)
        {
            return Problems.Invalid(outside);
        }

        if (agent is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "The enrollment token was refused.",
                detail: $"The token is unknown, expired, revoked or already used ({refusal}); ask an administrator for a new one.");
        }

        // The endpoint's earlier agents, if any, were revoked by this enrollment: refused from now on, on every node.
        if (enrolled.Replaced.Count > 0)
        {
            await credentials.ForgetEndpointAsync(agent.EndpointId);
        }
        return TypedResults.Ok(new EnrollResponseV1(agent.Id, agent.EndpointId, secret));
    }

    /// <summary>
    /// How long a poll is held when nothing changes: its wait less up to a fifth, at random. Agents that arrive together
    /// (a dead node's agents failing over, every agent reconnecting after a restart) would otherwise come back together
    /// at every wait's end, each needing a fresh read of its state at the same moment (measured: 5,000 agents failed
    /// over to one node got a window's close up to 3 s late, their polls queued behind each other's reads); spread over
    /// a fifth of the wait, they part within a cycle or two. Never longer than the agent asked. The spread needs no
    /// secrecy, so it comes from <see cref="Random.Shared"/>, not from the cryptographic generator (OpenSSL at every
    /// poll).
    /// </summary>
    internal static TimeSpan HoldFor(int waitSeconds) =>
        TimeSpan.FromMilliseconds(waitSeconds * (1000 - Random.Shared.Next(0, 201)));

    private static async Task<Results<Ok<ReportAccepted>, ValidationProblem>> ReportAsync(
        AgentReportV1 report, HttpContext http, ITrafficStore traffic, IDeliveryOptimizationStore deliveryOptimization, DesiredStates states,
        DesiredStateNotifier notifier, IOptions<OrchestratorOptions> options, TimeProvider time, IAuditLog audit, Metrics.OrchestratorMetrics metrics, CancellationToken ct)
    {
        var errors = AgentReportValidator.Validate(report);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        // The apply error comes from a firewall tool's output on the endpoint and is shown in reports, CSV and the
        // dashboard: unsafe characters are replaced rather than refused, so one odd byte in a tool's message does not
        // cost the report's counters and acknowledgements (docs/decisions.md).
        var applyError = report.ApplyError is null ? null : FreeText.Sanitize(report.ApplyError);
        var me = AgentIdentity.Of(http);
        var session = AgentAuthentication.SessionOf(http);
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();

        // Every report carries the applied version; once acknowledged, it changes nothing until the endpoint's runs change.
        var generation = notifier.Generation(me.EndpointId);
        IReadOnlyList<long>? acknowledge = null;
        if (report.AppliedVersion is { } applied && applyError is null && !session.AlreadyAcknowledged(applied, generation))
        {
            // The version is the same in both forms; the peer-set form never lists a run's peers, so an acknowledgement
            // costs the same in a group of 10,000 as in a group of 2 (the listed form built a 10,000-address list per
            // report: 10,000 such lists when a big run opens, measured 3.6 s open p99 at 10,000 in one group).
            var (current, runIds, _) = await states.ForAsync(me.EndpointId, ct, peerSets: true);
            if (current.Version == applied)
            {
                acknowledge = runIds;
            }
        }

        var recordApplied = session.NeedsAppliedWrite(report.AppliedVersion, applyError, nowMs, LastSeenInterval(options.Value));
        var stored = await traffic.StoreAsync(
            new AgentReport(
                me.AgentId,
                me.EndpointId,
                report.ReportId,
                report.Traffic.Select(t => new PeerBytes(t.Peer, t.BytesServed, t.BytesReceived)).ToList(),
                report.Blocked.Select(b => new BlockedCount(b.Source, b.Port, b.Count)).ToList(),
                report.Scans.Select(s => new ScanResult(s.ScanId, s.Outcome, s.ExitCode, s.DurationMs)).ToList(),
                recordApplied ? new AppliedState(report.AppliedVersion, applyError) : null,
                acknowledge),
            now,
            options.Value.LateReportGrace,
            ct);

        // Idempotent by report id on its own (its own key), so a retry after a failure here stores what was missed.
        if (report.DeliveryOptimization is { } stats)
        {
            await deliveryOptimization.StoreAsync(DeliveryOptimizationIngest.From(me.EndpointId, report.ReportId, stats), now, options.Value.LateReportGrace, ct);
        }

        if (report.Scans.Count > 0)
        {
            await states.ForgetAsync(me.EndpointId);
        }

        if (stored)
        {
            metrics.ReportStored(report.Traffic.Count, report.Blocked.Count, report.Scans.Select(s => s.Outcome),
                Metrics.Saturating.Sum(report.Traffic.Select(t => t.BytesServed)), Metrics.Saturating.Sum(report.Blocked.Select(b => b.Count)));
        }

        // Recorded once: a retried report (same ReportId) was not stored again and writes no second entry.
        if (stored && report.Repairs is { Count: > 0 } repairs)
        {
            await FirewallRepairs.RecordAsync(me, repairs, states, audit, now, ct);
        }

        if (recordApplied)
        {
            session.AppliedWritten(report.AppliedVersion, applyError, nowMs);
        }

        if (acknowledge is not null)
        {
            session.Acknowledged(report.AppliedVersion!.Value, generation);
            metrics.StateAcknowledged(me.EndpointId);
        }

        return TypedResults.Ok(new ReportAccepted(report.ReportId, Duplicate: !stored));
    }

    private static async Task<Results<Ok<EnrollResponseV1>, ProblemHttpResult>> RotateAsync(
        HttpContext http, IAgentStore agents, AgentAuthentication credentials, TimeProvider time, CancellationToken ct)
    {
        var me = AgentIdentity.Of(http);
        var secret = Secrets.New("oas_");
        var rotated = await agents.RotateAsync(me.AgentId, Secrets.Hash(secret), time.GetUtcNow(), ct);
        await credentials.ForgetAsync(me.AgentId);
        return rotated
            ? TypedResults.Ok(new EnrollResponseV1(me.AgentId, me.EndpointId, secret))
            : Problems.NotFound($"Agent {me.AgentId}");
    }

    /// <summary>
    /// How stale an agent's last-seen time may get: a quarter of the offline threshold, so an agent that polls is never
    /// shown offline, and 10,000 agents polling do not write 10,000 rows a few times a minute.
    /// </summary>
    internal static TimeSpan LastSeenInterval(OrchestratorOptions options) => options.AgentOfflineAfter / 4;
}

/// <summary>
/// Marks the routes an agent calls with its own credential (state, report, rotation, peer sets):
/// <see cref="AgentAuthentication"/> authenticates and rate-limits them, and the ops-key middleware (authentication,
/// authorization, rate limiter) is skipped for them (<see cref="Hosting.OrchestratorHost"/>). Enrollment is not one of
/// them: it is limited by address. The state route carries <see cref="LongPoll"/>, which, added after the group's
/// <see cref="Instance"/>, is the one its metadata answers.
/// </summary>
internal sealed class AgentCredentialEndpoint
{
    public static readonly AgentCredentialEndpoint Instance = new(parksRequests: false);

    /// <summary>The state long-poll: requests wait here up to 25 s, so middleware that would keep per-request state
    /// for the whole wait and has nothing to do for it skips it (status-code pages).</summary>
    public static readonly AgentCredentialEndpoint LongPoll = new(parksRequests: true);

    private AgentCredentialEndpoint(bool parksRequests) => ParksRequests = parksRequests;

    public bool ParksRequests { get; }

    public static bool Is(HttpContext http) => Of(http) is not null;

    public static bool IsLongPoll(HttpContext http) => Of(http)?.ParksRequests == true;

    private static AgentCredentialEndpoint? Of(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<AgentCredentialEndpoint>();
}

/// <summary>The report was stored, or (<see cref="Duplicate"/>) had been stored before.</summary>
public sealed record ReportAccepted(string ReportId, bool Duplicate);
